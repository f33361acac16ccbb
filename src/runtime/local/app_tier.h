// The Odoo application tier of the embedded platform: template databases built once with Odoo
// per host and module set, tenants cloned from them in seconds, and each tenant's Odoo process
// group (threaded, or prefork + gevent) supervised and routed by the proxy.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "components/odoo/config.h"
#include "runtime/local/local_runtime.h"
#include "runtime/local/mail_catcher.h"

namespace ballast::runtime::local {

class AppTier final {
 public:
  AppTier(LocalRuntime& runtime, catalog::Catalog& catalog)
      : runtime_(runtime), catalog_(catalog) {}

  // How many caught messages each copy keeps (the newest).
  static constexpr std::size_t kCaughtMailKept = 500;

  // The Odoo tree: platform.odoo.source, else $BALLAST_ODOO_SRC; nullopt when none.
  [[nodiscard]] std::optional<std::filesystem::path> source() const;
  [[nodiscard]] bool is_configured() const { return source().has_value(); }

  // Builds (once) the template database of `modules` on `host` with odoo-bin -i; its name.
  core::Result<std::string> ensure_template(const HostRef& host, std::vector<std::string> modules);
  // After CREATE DATABASE … TEMPLATE: hands every object to the tenant's role, gives the copy
  // its own database.uuid and secret, web.base.url and admin password, and copies the file store.
  core::Status adopt_clone(const catalog::TenantRecord& tenant, const std::string& template_db,
                           const core::Secret& admin_password);
  // Gives a copied database its own identity: database.uuid and secret, web.base.url.
  core::Status refresh_identity(const catalog::TenantRecord& tenant);
  // Runs `odoo-bin neutralize` on a copy, then checks it: database.is_neutralized set, no active
  // outgoing or incoming mail server, no active cron but autovacuum. kPreconditionFailed
  // listing what was left active.
  core::Status neutralize(const catalog::TenantRecord& tenant);
  core::Result<std::vector<std::string>> neutralization_problems(
      const catalog::TenantRecord& tenant);
  // Writes the tenant's odoo.conf and runs its processes until /web/health answers. A copy's
  // mail catcher listens before its Odoo starts.
  core::Status start(const catalog::TenantRecord& tenant);
  core::Status stop(const std::string& tenant);
  // Where the proxy sends the tenant's traffic, when its application runs.
  std::optional<AppEndpoints> endpoints(const std::string& tenant);
  // The configuration of a tenant's application (ports allocated and kept).
  core::Result<components::odoo::OdooConfig> config_for(const catalog::TenantRecord& tenant);
  // Runs odoo-bin with the tenant's config and extra arguments to completion (-u, neutralize).
  core::Status run_odoo(const catalog::TenantRecord& tenant, core::Command command,
                        std::chrono::seconds timeout);
  // The modules every tenant of the spec gets plus `extra`, sorted and unique.
  [[nodiscard]] std::vector<std::string> modules_for(const std::vector<std::string>& extra) const;

  // Odoo serving a drill's sandbox copy: threaded, on its own loopback port, never routed, no
  // cron; the copy is neutralized first so it can never mail a customer. It dies with the daemon,
  // and its command line names the sandbox, so a restart after a crash finds any straggler.
  class SandboxApp;
  core::Result<std::unique_ptr<SandboxApp>> start_on_sandbox(const catalog::TenantRecord& tenant,
                                                             const LocalRuntime::Sandbox& sandbox);

  // The port the platform's catcher takes the copy's mail on now (while the copy runs).
  [[nodiscard]] std::optional<std::uint16_t> mail_catcher_port(const std::string& tenant) const;

  static std::string component_name(const std::string& tenant) {
    return "tenant/" + tenant + "/odoo";
  }
  std::filesystem::path config_file(const std::string& tenant) const;

 private:
  MailCatcher& catcher();

  LocalRuntime& runtime_;
  catalog::Catalog& catalog_;
  mutable std::mutex catcher_mutex_;
  std::unique_ptr<MailCatcher> catcher_;  // made when the first copy starts
};

class AppTier::SandboxApp {
 public:
  SandboxApp(core::Process process, std::uint16_t port)
      : process_(std::move(process)), port_(port) {}
  SandboxApp(const SandboxApp&) = delete;
  SandboxApp& operator=(const SandboxApp&) = delete;
  ~SandboxApp() { process_.terminate(std::chrono::seconds(5)); }
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  core::Process process_;
  std::uint16_t port_;
};

}  // namespace ballast::runtime::local
