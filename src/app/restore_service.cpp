// Platform: restoring a tenant into a new tenant (the default) or, confirmed, in place; from
// one of Ballast's tenant backups or, with --at, from the cluster's continuous archive to any
// second of the recovery window.
#include <fmt/format.h>

#include "app/platform.h"
#include "components/postgres/connection.h"
#include "components/postgres/databases.h"
#include "core/file.h"

namespace ballast::app {

namespace pg = components::postgres;
using runtime::local::LocalRuntime;

core::Status Platform::restore_in_place(const catalog::TenantRecord& live, const Loader& load) {
  const auto host = LocalRuntime::host_of(live);
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
  BALLAST_TRY(load(live));
  const auto& id = runtime_->identity();
  BALLAST_TRY(core::chown_path(runtime_->layout().tenant_dir(live.name), id.uid, id.gid, true));
  runtime_->set_maintenance(live.name, false);
  if (app_->is_configured() && live.state == catalog::TenantState::kActive)
    BALLAST_TRY(app_->start(live));
  BALLAST_TRY(runtime_->sync_routes());
  return core::ok();
}

core::Result<nlohmann::json> Platform::recovery_window(const std::string& tenant) {
  BALLAST_TRY(require_runtime());
  BALLAST_ASSIGN_OR_RETURN(auto record, catalog_->tenants().get(tenant));
  const auto host = LocalRuntime::host_of(record);
  BALLAST_ASSIGN_OR_RETURN(auto window, runtime_->recovery_window(host));
  return nlohmann::json{{"tenant", tenant},
                        {"cluster", host.owner()},
                        {"earliest", core::format_rfc3339(window.earliest)},
                        {"latest", core::format_rfc3339(window.latest)}};
}

core::Result<nlohmann::json> Platform::restore(const RestoreRequest& r, const Actor& actor,
                                               const backup::ProgressFn& progress) {
  std::lock_guard lock(changes_);
  BALLAST_TRY(require_runtime());
  nlohmann::json detail = {
      {"to", r.to}, {"as", r.as}, {"in_place", r.in_place}, {"reason", r.reason}};
  if (!r.at.empty()) detail["at"] = r.at;
  auto fail = [&](core::Error error) -> core::Result<nlohmann::json> {
    (void)audit(actor, "tenant.restore", "tenant/" + r.tenant, core::Status(error), detail);
    (void)catalog_->events().record(catalog::EventLevel::kWarning, "tenant/" + r.tenant,
                                    "RestoreFailed", error.to_string());
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
  if (!r.at.empty() && !r.to.empty() && r.to != "latest") {
    return fail(core::Error(core::ErrorCode::kInvalidArgument,
                            "choose one source: a backup (--to) or a point in time (--at)"));
  }
  auto source = catalog_->tenants().find(r.tenant);
  if (!source.has_value()) return fail(source.error());
  catalog::TenantRecord from = source->value_or(catalog::TenantRecord{r.tenant});
  const auto started = clock_.steady_now();

  // Where the data comes from.
  std::optional<backup::Manifest> manifest;
  std::unique_ptr<LocalRuntime::Sandbox> sandbox;
  std::unique_ptr<backup::Repository> repository;
  std::string repository_name;
  nlohmann::json result = {{"tenant", r.tenant}};
  if (!r.at.empty()) {
    const auto at = core::parse_rfc3339(r.at);
    if (!at) {
      return fail(core::make_error(core::ErrorCode::kInvalidArgument, "'{}' is not a time", r.at)
                      .with_hint("Use RFC 3339, e.g. 2026-11-22T09:30:00Z or "
                                 "2026-11-22T10:30:00+01:00."));
    }
    if (!source->has_value()) {
      return fail(core::make_error(core::ErrorCode::kNotFound,
                                   "tenant '{}' does not exist: point-in-time recovery reads "
                                   "its cluster's archive",
                                   r.tenant)
                      .with_hint("Restore a deleted tenant from its backups (--to)."));
    }
    const auto host = LocalRuntime::host_of(from);
    auto window = runtime_->recovery_window(host);
    if (!window.has_value()) return fail(window.error());
    if (*at < window->earliest || *at > window->latest) {
      return fail(core::make_error(core::ErrorCode::kInvalidArgument,
                                   "{} is outside the recovery window of '{}': {} to {}", r.at,
                                   r.tenant, core::format_rfc3339(window->earliest),
                                   core::format_rfc3339(window->latest))
                      .with_hint("Pick a time inside the window ('ballast backup window " +
                                 r.tenant + "'), or restore a tenant backup with --to."));
    }
    if (progress) progress({"archive", 0});
    // Files present now are either live or kept: link the newest before reading the past.
    if (auto kept = keep_->absorb(r.tenant); !kept.has_value()) return fail(kept.error());
    if (auto archived = runtime_->archive_now(host); !archived.has_value()) {
      return fail(std::move(archived).error().with_context("archiving the newest WAL"));
    }
    if (progress) progress({"recover", 0});
    auto restored = runtime_->restore_sandbox(host, r.tenant, *at);
    if (!restored.has_value()) return fail(restored.error());
    sandbox = std::move(restored).value();
    result["at"] = core::format_rfc3339(*at);
    result["recovery_point"] = core::format_rfc3339_ms(sandbox->reached);
    detail["reached"] = result["recovery_point"];
  } else {
    auto repo = repository_for(from, r.repository);
    if (!repo.has_value()) return fail(repo.error());
    repository_name = repo->first;
    repository = std::move(repo->second);
    auto picked = pick_backup(r.tenant, r.to, *repository);
    if (!picked.has_value()) return fail(picked.error());
    manifest = std::move(picked).value();
    detail["backup"] = manifest->id;
    result["backup"] = manifest->id;
    result["recovery_point"] = core::format_rfc3339_ms(manifest->point_in_time);
    result["checks"] = manifest->checks;
  }
  const Loader load = [&](const catalog::TenantRecord& into) -> core::Status {
    const auto filestore = runtime_->layout().filestore(into.name);
    if (manifest) {
      return backups_->restore(*manifest, *repository,
                               {LocalRuntime::host_of(into), into.name, into.name, filestore},
                               progress);
    }
    BALLAST_ASSIGN_OR_RETURN(
        auto password,
        catalog_->secrets().get(LocalRuntime::host_of(from).owner(), "postgres_admin_password"));
    BALLAST_ASSIGN_OR_RETURN(auto past,
                             pg::Connection::open({sandbox->socket_dir().string(), sandbox->port(),
                                                   pg::kAdminRole, password, r.tenant}));
    BALLAST_ASSIGN_OR_RETURN(auto objects, backup::referenced_objects(past));
    if (progress) progress({"database", 0});
    BALLAST_TRY(ops_->copy_database(
        {sandbox->socket_dir(), sandbox->port(), std::move(password), r.tenant}, into));
    if (progress) progress({"filestore", 0});
    // Objects no longer on this host come from the copy of the keep in the repository.
    auto off_repo = repository_for(from, "");
    auto off_key = backups_->key(r.tenant);
    std::optional<backup::OffHost> off;
    if (off_repo.has_value() && off_key.has_value())
      off.emplace(backup::OffHost{*off_repo->second,
                                  *off_key,
                                  {},
                                  backups_->keys(r.tenant).value_or(std::vector<core::Secret>{})});
    BALLAST_ASSIGN_OR_RETURN(auto files,
                             keep_->recover(r.tenant, objects, filestore, off ? &*off : nullptr));
    result["filestore"] = {{"referenced", objects.size()},
                           {"from_live", files.from_live},
                           {"from_keep", files.from_keep},
                           {"from_repository", files.from_repository},
                           {"missing", files.missing}};
    if (!files.missing.empty()) {
      (void)catalog_->events().record(
          catalog::EventLevel::kWarning, "tenant/" + into.name, "FilesMissing",
          fmt::format("{} file-store objects the recovered database references were not kept",
                      files.missing.size()));
    }
    return core::ok();
  };

  core::Status restored = core::ok();
  std::string target = r.as;
  if (r.in_place) {
    if (!source->has_value())
      return fail(
          core::make_error(core::ErrorCode::kNotFound, "tenant '{}' does not exist", r.tenant));
    target = r.tenant;
    // The live data is backed up first, to the tenant's repository.
    if (!repository) {
      auto repo = repository_for(from, r.repository);
      if (!repo.has_value()) return fail(repo.error());
      repository_name = repo->first;
      repository = std::move(repo->second);
    }
    auto safety = backups_->create(from, *repository, repository_name, "pre-restore", progress);
    if (!safety.has_value())
      return fail(std::move(safety).error().with_context("backing up the live tenant first"));
    detail["pre_restore_backup"] = safety->id;
    result["pre_restore_backup"] = safety->id;
    restored = restore_in_place(from, load);
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
    restored = load(*record);
    if (restored.has_value()) {
      const auto& id = runtime_->identity();
      restored = core::chown_path(runtime_->layout().tenant_dir(r.as), id.uid, id.gid, true);
    }
    if (restored.has_value() && app_->is_configured()) restored = app_->refresh_identity(*record);
    if (restored.has_value())
      restored =
          ops_->set_state(r.as, catalog::TenantState::kActive).and_then([](reconcile::Outcome) {
            return core::ok();
          });
  }
  sandbox.reset();  // the postmaster stops and its directory goes before we answer
  const auto seconds = std::chrono::duration<double>(clock_.steady_now() - started).count();
  detail["seconds"] = seconds;
  BALLAST_TRY(audit(actor, "tenant.restore", "tenant/" + r.tenant, restored, detail));
  if (!restored.has_value()) return std::move(restored).error();
  result["restored_into"] = target;
  result["seconds"] = seconds;
  return result;
}

}  // namespace ballast::app
