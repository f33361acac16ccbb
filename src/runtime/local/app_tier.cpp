#include "runtime/local/app_tier.h"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>

#include "components/odoo/password.h"
#include "components/postgres/cluster.h"
#include "components/postgres/databases.h"
#include "core/crypto.h"
#include "core/file.h"
#include "core/log.h"

namespace ballast::runtime::local {

namespace pg = components::postgres;
namespace od = components::odoo;

namespace {

constexpr const char* kTemplateRole = "ballast_odoo";

core::Status http_health(std::uint16_t port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1, 0);
  client.set_read_timeout(5, 0);
  auto r = client.Get("/web/health");
  if (!r || r->status != 200) {
    return core::make_error(core::ErrorCode::kUnavailable,
                            "/web/health on port {} does not answer 200", port);
  }
  return core::ok();
}

std::string set_parameter_sql() {
  return "WITH updated AS (UPDATE ir_config_parameter SET value = $2 WHERE key = $1 RETURNING 1) "
         "INSERT INTO ir_config_parameter (key, value) SELECT $1, $2 "
         "WHERE NOT EXISTS (SELECT 1 FROM updated)";
}

}  // namespace

std::optional<std::filesystem::path> AppTier::source() const {
  const auto& configured = runtime_.spec().platform.odoo.source;
  if (!configured.empty()) return runtime_.spec().resolve(configured);
  const char* env = std::getenv("BALLAST_ODOO_SRC");
  if (env != nullptr && *env != '\0') return std::filesystem::absolute(env).lexically_normal();
  return std::nullopt;
}

std::vector<std::string> AppTier::modules_for(const std::vector<std::string>& extra) const {
  std::set<std::string> all(runtime_.spec().platform.odoo.modules.begin(),
                            runtime_.spec().platform.odoo.modules.end());
  all.insert(extra.begin(), extra.end());
  return {all.begin(), all.end()};
}

std::filesystem::path AppTier::config_file(const std::string& tenant) const {
  return runtime_.layout().tenant_dir(tenant) / "odoo.conf";
}

core::Result<std::string> AppTier::ensure_template(const HostRef& host,
                                                   std::vector<std::string> modules) {
  BALLAST_ASSIGN_OR_RETURN(auto admin, runtime_.postgres_admin(host));
  std::sort(modules.begin(), modules.end());
  std::string joined;
  for (const auto& m : modules) joined += m + ",";
  const std::string version(spec::to_string(runtime_.spec().platform.odoo.version));
  const std::string name = fmt::format("ballast_odoo_{}_{}", version.substr(0, version.find('.')),
                                       core::sha256_hex(version + ":" + joined).substr(0, 10));
  auto done = admin.query("SELECT datistemplate FROM pg_database WHERE datname = $1", {name});
  if (!done.has_value()) return std::move(done).error();
  if (!done->empty() && done->at(0, 0) == "t") return name;
  // Built half-way by a process that died: start over.
  BALLAST_TRY(pg::drop_database(admin, name));
  BALLAST_ASSIGN_OR_RETURN(auto password,
                           catalog_.secrets().get_or_create(host.owner(), "odoo_template_password",
                                                            [] { return core::random_token(24); }));
  BALLAST_TRY(pg::ensure_role(admin, kTemplateRole, password));
  BALLAST_TRY(
      admin.exec(fmt::format("CREATE DATABASE {} OWNER {} TEMPLATE template0 ENCODING 'UTF8'",
                             admin.quote_identifier(name), kTemplateRole)));
  BALLAST_TRY(runtime_.sync_host_access(host));  // lets the template role into its database
  const auto data_dir = runtime_.layout().templates_dir(host);
  BALLAST_TRY(core::ensure_dir(data_dir, 0700));
  const auto& id = runtime_.identity();
  BALLAST_TRY(core::chown_path(data_dir, id.uid, id.gid));
  BALLAST_ASSIGN_OR_RETURN(const auto port, runtime_.postgres_port(host));
  BALLAST_ASSIGN_OR_RETURN(const auto http_port, catalog::free_loopback_port());
  od::OdooConfig config{*source(),
                        {},
                        runtime_.layout().pg_socket_dir(host).string(),
                        port,
                        kTemplateRole,
                        password,
                        name,
                        core::random_token(24),
                        http_port,
                        0};
  config.data_dir = data_dir;
  for (const auto& extra : runtime_.spec().platform.odoo.addons_paths) {
    config.addons_paths.push_back(runtime_.spec().resolve(extra));
  }
  const auto conf = data_dir / (name + ".conf");
  BALLAST_TRY(od::write(config, conf, id));
  auto built = core::run_checked(od::init_command(config, conf, id, "-i", modules),
                                 std::chrono::minutes(30));
  std::filesystem::remove(conf);
  if (!built.has_value()) return std::move(built).error().with_context("building template " + name);
  BALLAST_TRY(
      admin.exec(fmt::format("ALTER DATABASE {} IS_TEMPLATE true", admin.quote_identifier(name))));
  return name;
}

core::Status AppTier::refresh_identity(const catalog::TenantRecord& tenant) {
  const HostRef host = LocalRuntime::host_of(tenant);
  BALLAST_ASSIGN_OR_RETURN(auto db, runtime_.postgres_admin(host, tenant.name));
  const std::string scheme = runtime_.spec().platform.ingress.https ? "https://" : "http://";
  const std::string base_url =
      scheme + (tenant.domains.empty() ? tenant.name : tenant.domains.front());
  const std::vector<std::pair<std::string, std::string>> parameters = {
      {"database.uuid", core::hex_encode(core::random_bytes(16))},
      {"database.secret", core::random_token(32).reveal()},
      {"database.create_date", core::format_rfc3339(runtime_.clock().now())},
      {"web.base.url", base_url}};
  for (const auto& [key, value] : parameters)
    BALLAST_TRY(db.exec(set_parameter_sql(), {key, value}));
  return core::ok();
}

core::Status AppTier::adopt_clone(const catalog::TenantRecord& tenant,
                                  const std::string& template_db,
                                  const core::Secret& admin_password) {
  const HostRef host = LocalRuntime::host_of(tenant);
  BALLAST_ASSIGN_OR_RETURN(auto db, runtime_.postgres_admin(host, tenant.name));
  BALLAST_TRY(db.exec(
      fmt::format("REASSIGN OWNED BY {} TO {}", kTemplateRole, db.quote_identifier(tenant.name))));
  // REASSIGN OWNED also hands over shared objects, the template database among them: give it
  // back, or the tenant could drop the template every other tenant is cloned from.
  BALLAST_TRY(db.exec(fmt::format("ALTER DATABASE {} OWNER TO {}", db.quote_identifier(template_db),
                                  kTemplateRole)));
  BALLAST_TRY(refresh_identity(tenant));
  BALLAST_TRY(db.exec("UPDATE res_users SET password = $1 WHERE login = 'admin'",
                      {od::hash_password(admin_password)}));
  const auto from = runtime_.layout().templates_dir(host) / "filestore" / template_db;
  const auto to = runtime_.layout().filestore(tenant.name);
  BALLAST_TRY(core::ensure_dir(to, 0700));
  if (std::filesystem::exists(from)) {
    std::error_code ec;
    std::filesystem::create_directories(to.parent_path(), ec);
    // Content-addressed files never change in place: hard links copy them for free.
    std::filesystem::copy(from, to,
                          std::filesystem::copy_options::recursive |
                              std::filesystem::copy_options::create_hard_links |
                              std::filesystem::copy_options::skip_existing,
                          ec);
    if (ec) return core::errno_error(ec.value(), "copying the template file store to", to);
  }
  const auto& id = runtime_.identity();
  return core::chown_path(runtime_.layout().tenant_dir(tenant.name), id.uid, id.gid, true);
}

core::Result<od::OdooConfig> AppTier::config_for(const catalog::TenantRecord& t) {
  if (!is_configured()) {
    return core::make_error(core::ErrorCode::kPreconditionFailed,
                            "tenant '{}' has no application: no Odoo is configured", t.name)
        .with_hint(
            "Set platform.odoo.source in the spec (or BALLAST_ODOO_SRC) to an Odoo source "
            "tree.");
  }
  const HostRef host = LocalRuntime::host_of(t);
  const std::string scope = "tenant/" + t.name;
  auto generate = [] { return core::random_token(24); };
  BALLAST_ASSIGN_OR_RETURN(auto db_password,
                           catalog_.secrets().get_or_create(scope, "db_password", generate));
  BALLAST_ASSIGN_OR_RETURN(
      auto master, catalog_.secrets().get_or_create(scope, "odoo_master_password", generate));
  BALLAST_ASSIGN_OR_RETURN(const auto pg_port, runtime_.postgres_port(host));
  auto& ports = catalog_.components();
  BALLAST_ASSIGN_OR_RETURN(const auto http, ports.allocate_port(component_name(t.name) + "-http"));
  BALLAST_ASSIGN_OR_RETURN(const auto gevent,
                           ports.allocate_port(component_name(t.name) + "-gevent"));
  od::OdooConfig config{*source(), {},     runtime_.layout().pg_socket_dir(host).string(),
                        pg_port,   t.name, db_password,
                        t.name,    master, http,
                        gevent};
  for (const auto& extra : runtime_.spec().platform.odoo.addons_paths) {
    config.addons_paths.push_back(runtime_.spec().resolve(extra));
  }
  if (const spec::Plan* plan = runtime_.spec().find_plan(t.plan)) {
    config.workers = plan->workers;
    config.cron_threads = plan->cron_workers;
    config.memory_bytes = plan->memory.bytes;
  }
  config.data_dir = runtime_.layout().odoo_data(t.name);
  if (!t.is_production()) {
    // Copies send mail only to the platform's catcher, never to customers.
    BALLAST_ASSIGN_OR_RETURN(const auto catcher, ports.allocate_port("tenant/" + t.name + "/mail"));
    config.smtp_host = "127.0.0.1";
    config.smtp_port = catcher;
  }
  return config;
}

core::Status AppTier::neutralize(const catalog::TenantRecord& t) {
  BALLAST_ASSIGN_OR_RETURN(auto config, config_for(t));
  const auto file = config_file(t.name);
  const auto& id = runtime_.identity();
  BALLAST_TRY(core::ensure_dir(config.data_dir, 0700));
  BALLAST_TRY(core::chown_path(config.data_dir, id.uid, id.gid));
  BALLAST_TRY(od::write(config, file, id));
  BALLAST_TRY(
      core::run_checked(od::neutralize_command(config, file, id), std::chrono::minutes(10)));
  // Odoo leaves one active dummy server that sends nowhere ("invalid"); point it at the
  // platform's catcher so the copy's mail can be read, never delivered.
  BALLAST_ASSIGN_OR_RETURN(auto db, runtime_.postgres_admin(LocalRuntime::host_of(t), t.name));
  BALLAST_TRY(
      db.exec("UPDATE ir_mail_server SET smtp_host = '127.0.0.1', smtp_port = $1 WHERE active AND "
              "smtp_host = 'invalid'",
              {std::to_string(config.smtp_port)}));
  BALLAST_ASSIGN_OR_RETURN(auto problems, neutralization_problems(t));
  if (!problems.empty()) {
    std::string list;
    for (const auto& p : problems) list += (list.empty() ? "" : "; ") + p;
    return core::make_error(core::ErrorCode::kPreconditionFailed,
                            "the copy '{}' is not neutralized: {}", t.name, list)
        .with_hint(
            "It was not started. Deactivate these by hand or fix the neutralization, then "
            "retry.");
  }
  return core::ok();
}

core::Result<std::vector<std::string>> AppTier::neutralization_problems(
    const catalog::TenantRecord& t) {
  BALLAST_ASSIGN_OR_RETURN(auto db, runtime_.postgres_admin(LocalRuntime::host_of(t), t.name));
  std::vector<std::string> problems;
  BALLAST_ASSIGN_OR_RETURN(auto flag, db.query("SELECT value FROM ir_config_parameter WHERE key = "
                                               "'database.is_neutralized'"));
  if (flag.empty() ||
      (flag.at(0, 0) != "True" && flag.at(0, 0) != "true" && flag.at(0, 0) != "1")) {
    problems.emplace_back("database.is_neutralized is not set");
  }
  BALLAST_ASSIGN_OR_RETURN(auto config, config_for(t));
  // Only the platform's catcher may stay active as an outgoing server.
  BALLAST_ASSIGN_OR_RETURN(auto outgoing,
                           db.query("SELECT name FROM ir_mail_server WHERE active AND NOT "
                                    "(smtp_host = '127.0.0.1' AND smtp_port = $1) ORDER BY id",
                                    {std::to_string(config.smtp_port)}));
  for (const auto& row : outgoing.values) {
    problems.push_back(fmt::format("outgoing mail server '{}' is active", row.at(0)));
  }
  BALLAST_ASSIGN_OR_RETURN(auto fetch,
                           db.query("SELECT to_regclass('fetchmail_server') IS NOT NULL"));
  if (fetch.at(0, 0) == "t") {
    BALLAST_ASSIGN_OR_RETURN(
        auto incoming, db.query("SELECT name FROM fetchmail_server WHERE active ORDER BY id"));
    for (const auto& row : incoming.values) {
      problems.push_back(fmt::format("incoming mail server '{}' is active", row.at(0)));
    }
  }
  BALLAST_ASSIGN_OR_RETURN(
      auto crons,
      db.query("SELECT cron_name FROM ir_cron WHERE active AND id NOT IN (SELECT res_id "
               "FROM ir_model_data WHERE model = 'ir.cron' AND module = 'base' AND "
               "name = 'autovacuum_job') ORDER BY id"));
  for (const auto& row : crons.values)
    problems.push_back(fmt::format("scheduled action '{}' is active", row.at(0)));
  return problems;
}

core::Status AppTier::start(const catalog::TenantRecord& t) {
  BALLAST_ASSIGN_OR_RETURN(auto config, config_for(t));
  const auto& id = runtime_.identity();
  BALLAST_TRY(core::ensure_dir(config.data_dir, 0700));
  BALLAST_TRY(core::chown_path(config.data_dir, id.uid, id.gid));
  const auto file = config_file(t.name);
  BALLAST_TRY(od::write(config, file, id));
  const auto log_file = runtime_.layout().log_of(component_name(t.name));
  ServiceSpec service{component_name(t.name),   "odoo",  "tenant/" + t.name, config.http_port,
                      config.data_dir.string(), log_file};
  service.command = [config, file, id, log_file] {
    return od::server_command(config, file, id, log_file);
  };
  service.probe = [config]() -> core::Status {
    BALLAST_TRY(http_health(config.http_port));
    if (config.workers > 0) BALLAST_TRY(http_health(config.gevent_port));
    return core::ok();
  };
  service.ready_timeout = std::chrono::seconds(120);
  if (!t.is_production()) BALLAST_TRY(catcher().listen(t.name, config.smtp_port));
  return runtime_.supervisor().start(std::move(service));
}

core::Status AppTier::stop(const std::string& tenant) {
  BALLAST_TRY(runtime_.supervisor().stop(component_name(tenant)));
  std::lock_guard lock(catcher_mutex_);
  if (catcher_) catcher_->close(tenant);
  return core::ok();
}

MailCatcher& AppTier::catcher() {
  std::lock_guard lock(catcher_mutex_);
  if (!catcher_) {
    catcher_ =
        std::make_unique<MailCatcher>([this](const std::string& tenant, SmtpMessage message) {
          catalog::CaughtMail mail;
          mail.tenant = tenant;
          mail.received_at = runtime_.clock().now();
          mail.mail_from = std::move(message.mail_from);
          mail.recipients = std::move(message.recipients);
          mail.subject = SmtpSession::subject_of(message.data);
          mail.size_bytes = message.data.size();
          mail.message = std::move(message.data);
          auto kept = catalog_.mail().add(mail, kCaughtMailKept);
          if (!kept.has_value()) {
            core::log::error("cannot keep caught mail",
                             {{"tenant", tenant}, {"error", kept.error().to_string()}});
            return;
          }
          core::log::info("caught mail", {{"tenant", tenant},
                                          {"id", std::to_string(*kept)},
                                          {"size_bytes", std::to_string(mail.size_bytes)}});
        });
  }
  return *catcher_;
}

std::optional<std::uint16_t> AppTier::mail_catcher_port(const std::string& tenant) const {
  std::lock_guard lock(catcher_mutex_);
  if (!catcher_) return std::nullopt;
  return catcher_->port_of(tenant);
}

std::optional<AppEndpoints> AppTier::endpoints(const std::string& tenant) {
  if (!runtime_.supervisor().is_running(component_name(tenant))) return std::nullopt;
  auto record = catalog_.tenants().find(tenant);
  if (!record.has_value() || !record->has_value()) return std::nullopt;
  auto config = config_for(**record);
  if (!config.has_value()) return std::nullopt;
  return AppEndpoints{config->http_port, od::websocket_port(*config)};
}

core::Result<std::unique_ptr<AppTier::SandboxApp>> AppTier::start_on_sandbox(
    const catalog::TenantRecord& t, const LocalRuntime::Sandbox& sandbox) {
  BALLAST_ASSIGN_OR_RETURN(auto config, config_for(t));
  config.db_host = sandbox.socket_dir().string();
  config.db_port = sandbox.port();
  BALLAST_ASSIGN_OR_RETURN(config.http_port, catalog::free_loopback_port());
  BALLAST_ASSIGN_OR_RETURN(config.gevent_port, catalog::free_loopback_port());
  config.workers = 0;
  config.cron_threads = 0;
  config.admin_password = core::Secret(core::random_token(24));
  config.data_dir = sandbox.dir() / "odoo";
  // Mail goes nowhere: a loopback port nothing listens on, behind the neutralized servers.
  BALLAST_ASSIGN_OR_RETURN(config.smtp_port, catalog::free_loopback_port());
  config.smtp_host = "127.0.0.1";
  const auto& id = runtime_.identity();
  BALLAST_TRY(core::ensure_dir(config.data_dir, 0700));
  BALLAST_TRY(core::chown_path(config.data_dir, id.uid, id.gid));
  const auto file = sandbox.dir() / "odoo.conf";
  BALLAST_TRY(od::write(config, file, id));
  BALLAST_TRY(core::run_checked(od::neutralize_command(config, file, id), std::chrono::minutes(10))
                  .and_then([](const auto&) { return core::ok(); }));
  auto command = od::server_command(config, file, id, sandbox.dir() / "odoo.log");
  command.die_with_parent = true;  // the copy's Odoo never outlives the drill
  BALLAST_ASSIGN_OR_RETURN(auto process, core::Process::start(command));
  auto app = std::make_unique<SandboxApp>(std::move(process), config.http_port);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!http_health(config.http_port).has_value()) {
    if (std::chrono::steady_clock::now() > deadline) {
      auto log = core::read_file(sandbox.dir() / "odoo.log").value_or("");
      if (log.size() > 800) log = log.substr(log.size() - 800);
      return core::make_error(core::ErrorCode::kUnavailable,
                              "Odoo on the restored copy of '{}' did not become healthy in 120 s; "
                              "the end of its log: {}",
                              t.name, log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return app;
}

core::Status AppTier::run_odoo(const catalog::TenantRecord& tenant, core::Command command,
                               std::chrono::seconds timeout) {
  (void)tenant;
  BALLAST_TRY(core::run_checked(std::move(command), timeout));
  return core::ok();
}

}  // namespace ballast::runtime::local
