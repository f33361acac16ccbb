// odoo.conf of a tenant on Kubernetes (no secrets: the init container appends them).
#include <fmt/format.h>

#include "runtime/kubernetes/names.h"
#include "runtime/kubernetes/parts.h"

namespace ballast::runtime::kubernetes {
namespace {

constexpr std::uint64_t kTimeCpuSeconds = 600;
constexpr std::uint64_t kTimeRealSeconds = 1200;
constexpr std::uint64_t kRequestLimit = 65536;

void line(std::string& out, std::string_view key, std::string_view value) {
  out += fmt::format("{} = {}\n", key, value);
}

}  // namespace

std::string odoo_conf(const Scope& scope, const TenantEnvironment& tenant, const OdooSizing& size) {
  const std::string db = names::database(tenant.tenant->name);
  const TenantNames tn = tenant_names(tenant.tenant->name);
  std::string out = "[options]\n";
  out += fmt::format("; {} ({}), rendered by Ballast. db_password and admin_passwd are appended\n",
                     tenant.tenant->name, tenant.name);
  out += fmt::format("; at start-up from the Secrets {} and {}.\n", tn.db_secret, tn.odoo_secret);
  line(out, "addons_path", "/opt/odoo/addons,/opt/odoo/odoo/addons,/opt/odoo/extra-addons");
  line(out, "data_dir", "/var/lib/odoo");
  line(out, "db_host", cluster_name(*scope.ns.site) + "-rw");
  line(out, "db_port", std::to_string(kPostgresPort));
  line(out, "db_user", db);
  line(out, "db_name", db);
  line(out, "db_sslmode", "require");
  line(out, "db_maxconn", std::to_string(size.db_maxconn));
  line(out, "dbfilter", "^" + db + "$");
  line(out, "list_db", "False");
  line(out, "proxy_mode", "True");
  line(out, "http_interface", "0.0.0.0");
  line(out, "http_port", std::to_string(kOdooHttpPort));
  line(out, "gevent_port", std::to_string(kOdooGeventPort));
  line(out, "workers", std::to_string(size.workers_per_pod));
  // Crons run only in the tenant's single cron runner, which overrides this on its command line.
  line(out, "max_cron_threads", "0");
  line(out, "limit_memory_soft", std::to_string(size.limit_memory_soft));
  line(out, "limit_memory_hard", std::to_string(size.limit_memory_hard));
  line(out, "limit_time_cpu", std::to_string(kTimeCpuSeconds));
  line(out, "limit_time_real", std::to_string(kTimeRealSeconds));
  line(out, "limit_request", std::to_string(kRequestLimit));
  line(out, "without_demo", "all");
  line(out, "server_wide_modules", "base,web");
  if (!tenant.is_production) {
    // A neutralized copy: mail goes to the platform's catcher, never to customers.
    line(out, "smtp_server",
         fmt::format("{}.{}.svc", kMailCatcher, scope.options.platform_namespace));
    line(out, "smtp_port", std::to_string(kSmtpCatcherPort));
  }
  return out;
}

}  // namespace ballast::runtime::kubernetes
