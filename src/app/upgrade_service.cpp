// Platform: module upgrades with a pre-upgrade backup and automatic rollback.
#include <set>

#include <fmt/format.h>

#include "app/platform.h"
#include "components/odoo/config.h"

namespace ballast::app {

core::Result<std::vector<std::string>> Platform::modules_not_installed(
    const catalog::TenantRecord& tenant, const std::vector<std::string>& modules) {
  std::vector<std::string> wanted;
  for (const auto& m : modules) {
    if (m != "all") wanted.push_back(m);
  }
  if (wanted.empty()) return wanted;
  BALLAST_ASSIGN_OR_RETURN(
      auto db,
      runtime_->postgres_admin(runtime::local::LocalRuntime::host_of(tenant), tenant.name));
  BALLAST_ASSIGN_OR_RETURN(auto rows,
                           db.query("SELECT name FROM ir_module_module WHERE state = 'installed'"));
  std::set<std::string> installed;
  for (const auto& row : rows.values) installed.insert(row.at(0));
  std::vector<std::string> missing;
  for (const auto& m : wanted) {
    if (installed.count(m) == 0U) missing.push_back(m);
  }
  return missing;
}

core::Result<nlohmann::json> Platform::tenant_upgrade(const std::string& tenant,
                                                      const std::vector<std::string>& modules,
                                                      bool no_backup, const Actor& actor) {
  std::lock_guard lock(changes_);
  BALLAST_TRY(require_runtime());
  nlohmann::json detail = {{"modules", modules}, {"no_backup", no_backup}};
  auto audited = [&](core::Result<nlohmann::json> result) -> core::Result<nlohmann::json> {
    BALLAST_TRY(audit(actor, "tenant.upgrade", "tenant/" + tenant,
                      result.has_value() ? core::ok() : core::Status(result.error()), detail));
    return result;
  };
  if (!app_->is_configured()) {
    return audited(
        core::Error(core::ErrorCode::kPreconditionFailed, "no Odoo is configured to upgrade with")
            .with_hint("Set platform.odoo.source in the spec (or BALLAST_ODOO_SRC)."));
  }
  auto record = catalog_->tenants().get(tenant);
  if (!record.has_value()) return audited(record.error());
  // Odoo skips a module it does not know, or one not installed, and reports success: refuse
  // such a request before the tenant stops.
  if (auto unknown = modules_not_installed(*record, modules); !unknown.has_value()) {
    return audited(std::move(unknown).error());
  } else if (!unknown->empty()) {
    return audited(core::make_error(core::ErrorCode::kInvalidArgument,
                                    "module '{}' is not installed on tenant '{}'", unknown->front(),
                                    tenant)
                       .with_hint("Upgrade installed modules only (or 'all'); install a new "
                                  "module through the spec's modules."));
  }
  std::optional<std::pair<std::string, std::unique_ptr<backup::Repository>>> repo;
  std::optional<backup::Manifest> before;
  if (!no_backup) {
    auto chosen = repository_for(*record, "");
    if (!chosen.has_value())
      return audited(std::move(chosen).error().with_context("taking the pre-upgrade backup"));
    repo.emplace(std::move(chosen).value());
    auto made = backups_->create(*record, *repo->second, repo->first, "pre-upgrade");
    if (!made.has_value())
      return audited(std::move(made).error().with_context("taking the pre-upgrade backup"));
    before = std::move(made).value();
    detail["pre_upgrade_backup"] = before->id;
  }
  const std::vector<std::string> list = modules.empty() ? std::vector<std::string>{"all"} : modules;
  runtime_->set_maintenance(tenant, true);
  (void)runtime_->sync_routes();
  auto upgraded = [&]() -> core::Status {
    BALLAST_TRY(app_->stop(tenant));
    BALLAST_ASSIGN_OR_RETURN(auto config, app_->config_for(*record));
    const auto command = components::odoo::init_command(config, app_->config_file(tenant),
                                                        runtime_->identity(), "-u", list);
    BALLAST_TRY(core::run_checked(command, std::chrono::hours(2))
                    .transform([](auto) { return 0; })
                    .and_then([](int) { return core::ok(); }));
    return app_->start(*record);  // waits for /web/health
  }();
  if (!upgraded.has_value() && before) {
    detail["error"] = upgraded.error().to_string();
    auto rolled_back = restore_in_place(*record, [&](const catalog::TenantRecord& into) {
      return backups_->restore(*before, *repo->second,
                               {runtime::local::LocalRuntime::host_of(into), into.name, into.name,
                                runtime_->layout().filestore(into.name)});
    });
    runtime_->set_maintenance(tenant, false);
    (void)runtime_->sync_routes();
    detail["rolled_back"] = rolled_back.has_value();
    if (!rolled_back.has_value()) {
      return audited(std::move(rolled_back).error().with_context("rolling back a failed upgrade"));
    }
    (void)catalog_->events().record(catalog::EventLevel::kWarning, "tenant/" + tenant,
                                    "UpgradeRolledBack", upgraded.error().to_string());
    return audited(
        core::make_error(core::ErrorCode::kComponentFailed,
                         "upgrading '{}' failed and was rolled back to backup {}: {}", tenant,
                         before->id, upgraded.error().message())
            .with_hint("The tenant runs as before the upgrade. Fix the module and retry."));
  }
  runtime_->set_maintenance(tenant, false);
  (void)runtime_->sync_routes();
  if (!upgraded.has_value()) return audited(std::move(upgraded).error());
  nlohmann::json out = {{"tenant", tenant}, {"modules", list}, {"upgraded", true}};
  if (before) out["pre_upgrade_backup"] = before->id;
  return audited(out);
}

}  // namespace ballast::app
