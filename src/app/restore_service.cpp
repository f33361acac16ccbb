// Platform: restoring a tenant backup into a new tenant (the default) or, confirmed, in place.
#include <fmt/format.h>

#include "app/platform.h"
#include "components/postgres/databases.h"
#include "core/file.h"

namespace ballast::app {

namespace pg = components::postgres;

core::Status Platform::restore_in_place(const catalog::TenantRecord& live,
                                        const backup::Manifest& manifest,
                                        backup::Repository& repository,
                                        const backup::ProgressFn& progress) {
  const auto host = runtime::local::LocalRuntime::host_of(live);
  if (app_->is_configured()) BALLAST_TRY(app_->stop(live.name));
  runtime_->set_maintenance(live.name, true);
  BALLAST_TRY(runtime_->sync_routes());
  BALLAST_ASSIGN_OR_RETURN(auto admin, runtime_->postgres_admin(host));
  BALLAST_TRY(pg::drop_database(admin, live.name));
  const spec::Plan* plan = spec_.find_plan(live.plan);
  BALLAST_TRY(pg::ensure_database(admin, {live.name, live.name,
                                          plan != nullptr ? plan->connections : 20, "template0"})
                  .and_then([](bool) { return core::ok(); }));
  // The current file store goes to the trash rather than being overwritten.
  const auto filestore = runtime_->layout().filestore(live.name);
  const auto aside = runtime_->layout().trash() /
                     (live.name + "@replaced-" + core::hex_encode(core::random_bytes(3)));
  std::error_code ec;
  if (std::filesystem::exists(filestore)) {
    std::filesystem::create_directories(aside, ec);
    std::filesystem::rename(filestore, aside / "filestore", ec);
  }
  BALLAST_TRY(
      backups_->restore(manifest, repository, {host, live.name, live.name, filestore}, progress));
  const auto& id = runtime_->identity();
  BALLAST_TRY(core::chown_path(runtime_->layout().tenant_dir(live.name), id.uid, id.gid, true));
  runtime_->set_maintenance(live.name, false);
  if (app_->is_configured() && live.state == catalog::TenantState::kActive)
    BALLAST_TRY(app_->start(live));
  BALLAST_TRY(runtime_->sync_routes());
  return core::ok();
}

core::Result<nlohmann::json> Platform::restore(const RestoreRequest& r, const Actor& actor,
                                               const backup::ProgressFn& progress) {
  std::lock_guard lock(changes_);
  BALLAST_TRY(require_runtime());
  nlohmann::json detail = {
      {"to", r.to}, {"as", r.as}, {"in_place", r.in_place}, {"reason", r.reason}};
  auto fail = [&](core::Error error) -> core::Result<nlohmann::json> {
    (void)audit(actor, "tenant.restore", "tenant/" + r.tenant, core::Status(error), detail);
    return error;
  };
  if (r.in_place == !r.as.empty()) {
    return fail(core::Error(core::ErrorCode::kInvalidArgument,
                            "say where to restore: --as <new tenant> or --in-place")
                    .with_hint("A restore into a new tenant is the safe default."));
  }
  if (r.in_place && r.confirm != r.tenant) {
    return fail(core::make_error(core::ErrorCode::kConfirmationRequired,
                                 "restoring tenant '{}' in place needs confirmation", r.tenant)
                    .with_hint("Repeat its name with --confirm " + r.tenant +
                               "; the live data is backed up first."));
  }
  auto source = catalog_->tenants().find(r.tenant);
  if (!source.has_value()) return fail(source.error());
  catalog::TenantRecord from = source->value_or(catalog::TenantRecord{r.tenant});
  auto repo = repository_for(from, r.repository);
  if (!repo.has_value()) return fail(repo.error());
  auto manifest = pick_backup(r.tenant, r.to, *repo->second);
  if (!manifest.has_value()) return fail(manifest.error());
  detail["backup"] = manifest->id;
  const auto started = clock_.steady_now();
  core::Status restored = core::ok();
  std::string target = r.as;
  if (r.in_place) {
    if (!source->has_value())
      return fail(
          core::make_error(core::ErrorCode::kNotFound, "tenant '{}' does not exist", r.tenant));
    target = r.tenant;
    auto safety = backups_->create(from, *repo->second, repo->first, "pre-restore", progress);
    if (!safety.has_value())
      return fail(std::move(safety).error().with_context("backing up the live tenant first"));
    detail["pre_restore_backup"] = safety->id;
    restored = restore_in_place(from, *manifest, *repo->second, progress);
  } else {
    nlohmann::json request = {
        {"name", r.as}, {"plan", from.plan}, {"tier", spec::to_string(from.tier)}};
    if (from.tier == spec::Tier::kShared) request["pool"] = from.pool;
    if (from.tier == spec::Tier::kDedicated) request["stack"] = from.stack;
    auto tenant = reconcile::tenant_from_request(spec_, request);
    if (!tenant.has_value()) return fail(tenant.error());
    if (catalog_->tenants().find(r.as).value_or(std::nullopt)) {
      return fail(
          core::make_error(core::ErrorCode::kAlreadyExists, "tenant '{}' already exists", r.as));
    }
    auto created = ops_->ensure(*tenant, "api", reconcile::Seed::kEmpty);
    if (!created.has_value()) return fail(created.error());
    auto record = catalog_->tenants().get(r.as);
    const auto host = runtime::local::LocalRuntime::host_of(*record);
    restored = backups_->restore(*manifest, *repo->second,
                                 {host, r.as, r.as, runtime_->layout().filestore(r.as)}, progress);
    if (restored.has_value() && app_->is_configured()) restored = app_->refresh_identity(*record);
    if (restored.has_value())
      restored =
          ops_->set_state(r.as, catalog::TenantState::kActive).and_then([](reconcile::Outcome) {
            return core::ok();
          });
  }
  const auto seconds = std::chrono::duration<double>(clock_.steady_now() - started).count();
  detail["seconds"] = seconds;
  BALLAST_TRY(audit(actor, "tenant.restore", "tenant/" + r.tenant, restored, detail));
  if (!restored.has_value()) return std::move(restored).error();
  return nlohmann::json{{"tenant", r.tenant},
                        {"restored_into", target},
                        {"backup", manifest->id},
                        {"recovery_point", core::format_rfc3339_ms(manifest->point_in_time)},
                        {"seconds", seconds},
                        {"checks", manifest->checks}};
}

}  // namespace ballast::app
