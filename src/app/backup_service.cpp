// Platform: tenant backups, verification and restores, shared by the REST API and the CLI.
#include <algorithm>

#include <fmt/format.h>

#include "app/platform.h"
#include "backup/repository/registry.h"
#include "backup/retention.h"
#include "components/postgres/databases.h"
#include "core/file.h"

namespace ballast::app {

namespace {

nlohmann::json manifest_summary(const backup::Manifest& m) {
  std::uint64_t plain = 0;
  std::uint64_t stored = 0;
  for (const auto& p : m.parts) {
    plain += p.plain_bytes;
    stored += p.stored_bytes;
  }
  return {
      {"id", m.id},
      {"tenant", m.tenant},
      {"repository", m.repository},
      {"reason", m.reason},
      {"point_in_time", core::format_rfc3339_ms(m.point_in_time)},
      {"lsn", m.lsn},
      {"plain_bytes", plain},
      {"stored_bytes", stored},
      {"duration_ms",
       std::chrono::duration_cast<std::chrono::milliseconds>(m.finished_at - m.started_at).count()},
      {"modules", m.modules.size()},
      {"checks", m.checks}};
}

}  // namespace

core::Result<std::pair<std::string, std::unique_ptr<backup::Repository>>> Platform::repository_for(
    const catalog::TenantRecord& tenant, const std::string& name) {
  std::string chosen = name;
  if (chosen.empty()) {
    const spec::BackupPolicy* policy = nullptr;
    if (const auto* pool = spec_.find_pool(tenant.pool); pool && tenant.tier == spec::Tier::kShared)
      policy = &pool->backup;
    if (const auto* stack = spec_.find_stack(tenant.stack);
        stack && tenant.tier == spec::Tier::kDedicated) {
      policy = &stack->backup;
    }
    if (policy != nullptr && !policy->repositories.empty()) chosen = policy->repositories.front();
    if (chosen.empty() && !spec_.repositories.empty()) chosen = spec_.repositories.front().name;
  }
  if (chosen.empty()) {
    return core::Error(core::ErrorCode::kPreconditionFailed,
                       "the spec defines no backup repository")
        .with_hint("Add one under 'repositories:' (type posix with a path is enough).");
  }
  BALLAST_ASSIGN_OR_RETURN(auto repo, backup::open_repository(spec_, chosen));
  return std::make_pair(chosen, std::move(repo));
}

core::Result<backup::Manifest> Platform::pick_backup(const std::string& tenant,
                                                     const std::string& to,
                                                     backup::Repository& repository) {
  if (to.empty() || to == "latest") {
    BALLAST_ASSIGN_OR_RETURN(auto all, backups_->list(tenant, repository));
    if (all.empty()) {
      return core::make_error(core::ErrorCode::kNotFound, "tenant '{}' has no backup to restore",
                              tenant)
          .with_hint("Take one with 'ballast backup create " + tenant + "'.");
    }
    return all.front();
  }
  return backups_->manifest(tenant, to, repository);
}

core::Result<nlohmann::json> Platform::backup_create(const std::string& tenant,
                                                     const std::string& repository,
                                                     const std::string& reason, const Actor& actor,
                                                     const backup::ProgressFn& progress) {
  std::lock_guard lock(changes_);
  BALLAST_TRY(require_runtime());
  BALLAST_ASSIGN_OR_RETURN(auto record, catalog_->tenants().get(tenant));
  BALLAST_ASSIGN_OR_RETURN(auto repo, repository_for(record, repository));
  auto manifest = backups_->create(record, *repo.second, repo.first,
                                   reason.empty() ? "manual" : reason, progress);
  BALLAST_TRY(audit(actor, "backup.create", "tenant/" + tenant,
                    manifest.has_value() ? core::ok() : core::Status(manifest.error()),
                    {{"repository", repo.first}, {"reason", reason}}));
  if (!manifest.has_value()) {
    (void)catalog_->events().record(catalog::EventLevel::kWarning, "tenant/" + tenant,
                                    "BackupFailed", manifest.error().to_string());
    return std::move(manifest).error();
  }
  (void)catalog_->events().record(catalog::EventLevel::kNormal, "tenant/" + tenant,
                                  "BackupCompleted",
                                  fmt::format("backup {} to '{}'", manifest->id, repo.first));
  return manifest_summary(*manifest);
}

core::Result<nlohmann::json> Platform::backup_list(const std::string& tenant,
                                                   const std::string& repository) {
  std::lock_guard lock(changes_);
  BALLAST_TRY(require_runtime());
  BALLAST_ASSIGN_OR_RETURN(auto record, catalog_->tenants().find(tenant));
  catalog::TenantRecord probe = record.value_or(catalog::TenantRecord{tenant});
  BALLAST_ASSIGN_OR_RETURN(auto repo, repository_for(probe, repository));
  BALLAST_ASSIGN_OR_RETURN(auto all, backups_->list(tenant, *repo.second));
  nlohmann::json out = nlohmann::json::array();
  for (const auto& m : all) out.push_back(manifest_summary(m));
  return nlohmann::json{{"tenant", tenant}, {"repository", repo.first}, {"backups", out}};
}

core::Result<nlohmann::json> Platform::backup_show(const std::string& tenant, const std::string& id,
                                                   const std::string& repository) {
  BALLAST_TRY(require_runtime());
  BALLAST_ASSIGN_OR_RETURN(auto record, catalog_->tenants().find(tenant));
  BALLAST_ASSIGN_OR_RETURN(
      auto repo, repository_for(record.value_or(catalog::TenantRecord{tenant}), repository));
  BALLAST_ASSIGN_OR_RETURN(auto manifest, pick_backup(tenant, id, *repo.second));
  auto json = manifest_summary(manifest);
  json["manifest"] = backup::to_json(manifest);
  return json;
}

core::Result<nlohmann::json> Platform::backup_verify(const std::string& tenant,
                                                     const std::string& id,
                                                     const std::string& repository,
                                                     const Actor& actor) {
  std::lock_guard lock(changes_);
  BALLAST_TRY(require_runtime());
  BALLAST_ASSIGN_OR_RETURN(auto record, catalog_->tenants().find(tenant));
  BALLAST_ASSIGN_OR_RETURN(
      auto repo, repository_for(record.value_or(catalog::TenantRecord{tenant}), repository));
  BALLAST_ASSIGN_OR_RETURN(auto manifest, pick_backup(tenant, id, *repo.second));
  auto verified = backups_->verify(manifest, *repo.second);
  BALLAST_TRY(
      audit(actor, "backup.verify", "tenant/" + tenant, verified, {{"backup", manifest.id}}));
  if (!verified.has_value()) {
    (void)catalog_->events().record(catalog::EventLevel::kWarning, "tenant/" + tenant,
                                    "BackupCorrupt", verified.error().to_string());
    return std::move(verified).error();
  }
  auto json = manifest_summary(manifest);
  json["verified"] = true;
  // The cluster's archive: every WAL segment of the recovery window must be there, or
  // point-in-time recovery stops at the first gap.
  if (record) {
    BALLAST_ASSIGN_OR_RETURN(auto wal, verify_wal(*record, actor));
    json["wal"] = std::move(wal);
  }
  return json;
}

core::Result<nlohmann::json> Platform::verify_wal(const catalog::TenantRecord& tenant,
                                                  const Actor& actor) {
  const auto host = runtime::local::LocalRuntime::host_of(tenant);
  auto stanza = runtime_->stanza(host);
  if (!stanza.has_value() || stanza->repos.empty()) {
    return nlohmann::json{{"cluster", host.owner()},
                          {"checked", false},
                          {"reason", "the cluster archives no WAL (no backup repository)"}};
  }
  core::Result<std::vector<runtime::local::LocalRuntime::WalCheck>> checks =
      core::Error(core::ErrorCode::kInternal, "not run");
  {
    std::lock_guard jobs(cluster_jobs_);
    checks = runtime_->check_wal(host);
  }
  if (!checks.has_value())
    return std::move(checks).error().with_context("checking the WAL archive");
  nlohmann::json repositories = nlohmann::json::array();
  std::optional<core::Error> gap;
  for (const auto& c : *checks) {
    nlohmann::json entry = {{"repository", c.repository}};
    if (c.first.empty()) {
      entry["checked"] = false;
      entry["reason"] = "no cluster backup in this repository yet";
      repositories.push_back(entry);
      continue;
    }
    entry["checked"] = true;
    entry["from"] = c.first;
    entry["to"] = c.last;
    entry["segments"] = c.expected;
    entry["missing"] = c.missing.size() > 20
                           ? std::vector<std::string>(c.missing.begin(), c.missing.begin() + 20)
                           : c.missing;
    entry["missing_count"] = c.missing.size();
    repositories.push_back(entry);
    if (!c.missing.empty() && !gap) {
      gap = core::make_error(
                core::ErrorCode::kCorrupt,
                "the WAL archive of {} in repository '{}' misses {} of the {} segments from {} to "
                "{}, first {}: point-in-time recovery cannot pass it",
                host.owner(), c.repository, c.missing.size(), c.expected, c.first, c.last,
                c.missing.front())
                .with_hint("Take a full cluster backup now ('ballast backup cluster " + host.name +
                           " --type full') so a new window starts after the gap, and find out "
                           "what removed the segment.");
    }
  }
  if (gap) {
    (void)catalog_->events().record(catalog::EventLevel::kWarning, host.owner(), "WalMissing",
                                    gap->to_string());
    (void)audit(actor, "backup.verify", host.owner(), core::Status(*gap), {{"wal", repositories}});
    return *gap;
  }
  return nlohmann::json{
      {"cluster", host.owner()}, {"checked", true}, {"repositories", repositories}};
}

core::Result<nlohmann::json> Platform::backup_expire(const std::string& tenant,
                                                     const std::string& repository, bool dry_run,
                                                     const Actor& actor) {
  BALLAST_TRY(require_runtime());
  std::vector<std::string> names;
  if (!tenant.empty()) {
    names.push_back(tenant);
  } else {
    BALLAST_ASSIGN_OR_RETURN(auto all, catalog_->tenants().list());
    for (const auto& t : all) names.push_back(t.name);
  }
  nlohmann::json result = {{"dry_run", dry_run}, {"tenants", nlohmann::json::array()}};
  core::Status outcome = core::ok();
  for (const auto& name : names) {
    BALLAST_ASSIGN_OR_RETURN(auto record, catalog_->tenants().find(name));
    BALLAST_ASSIGN_OR_RETURN(
        auto repo, repository_for(record.value_or(catalog::TenantRecord{name}), repository));
    const spec::Repository* spec = spec_.find_repository(repo.first);
    const spec::Retention retention = spec != nullptr ? spec->retention : spec::Retention{};
    BALLAST_ASSIGN_OR_RETURN(auto manifests, backups_->list(name, *repo.second));
    std::vector<backup::BackupPoint> points;
    for (const auto& m : manifests) points.push_back({m.id, m.point_in_time, m.reason});
    const auto decision = backup::decide_retention(points, retention, clock_.now());
    nlohmann::json entry = {{"tenant", name},
                            {"repository", repo.first},
                            {"kept", nlohmann::json::array()},
                            {"expired", nlohmann::json::array()},
                            {"locked", nlohmann::json::array()}};
    for (const auto& [id, why] : decision.reasons)
      entry["kept"].push_back({{"id", id}, {"why", why}});
    for (const auto& id : decision.expire) {
      if (dry_run) {
        entry["expired"].push_back(id);
        continue;
      }
      auto it = std::find_if(manifests.begin(), manifests.end(),
                             [&](const backup::Manifest& m) { return m.id == id; });
      auto removed = backups_->remove(*it, *repo.second);
      if (removed.has_value()) {
        entry["expired"].push_back(id);
        continue;
      }
      if (removed.error().code() == core::ErrorCode::kLocked) {
        entry["locked"].push_back({{"id", id}, {"reason", removed.error().message()}});
        continue;
      }
      outcome = removed;
      entry["error"] = removed.error().to_string();
      break;
    }
    result["tenants"].push_back(entry);
  }
  if (!dry_run) {
    BALLAST_TRY(audit(actor, "backup.expire", tenant.empty() ? "tenants" : "tenant/" + tenant,
                      outcome, {{"repository", repository}}));
  }
  if (!outcome.has_value()) return std::move(outcome).error();
  return result;
}

core::Result<nlohmann::json> Platform::backup_copy(const std::string& tenant, const std::string& id,
                                                   const std::string& from, const std::string& to,
                                                   const Actor& actor,
                                                   const backup::ProgressFn& progress) {
  BALLAST_TRY(require_runtime());
  if (to.empty()) {
    return core::Error(core::ErrorCode::kInvalidArgument, "say where to copy: --to <repository>")
        .with_hint("A repository from the spec's 'repositories:', e.g. --to offsite.");
  }
  BALLAST_ASSIGN_OR_RETURN(auto record, catalog_->tenants().find(tenant));
  const auto probe = record.value_or(catalog::TenantRecord{tenant});
  BALLAST_ASSIGN_OR_RETURN(auto source, repository_for(probe, from));
  BALLAST_ASSIGN_OR_RETURN(auto target, repository_for(probe, to));
  if (source.first == target.first) {
    return core::make_error(core::ErrorCode::kInvalidArgument,
                            "the backup is already in '{}': copy it to another repository",
                            target.first);
  }
  BALLAST_ASSIGN_OR_RETURN(auto manifest, pick_backup(tenant, id, *source.second));
  const auto started = clock_.steady_now();
  auto copied = backups_->copy_to(manifest, *source.second, *target.second, target.first, progress);
  const auto seconds = std::chrono::duration<double>(clock_.steady_now() - started).count();
  BALLAST_TRY(audit(actor, "backup.copy", "tenant/" + tenant,
                    copied.has_value() ? core::ok() : core::Status(copied.error()),
                    {{"backup", manifest.id}, {"from", source.first}, {"to", target.first}}));
  if (!copied.has_value()) {
    (void)catalog_->events().record(catalog::EventLevel::kWarning, "tenant/" + tenant,
                                    "BackupCopyFailed",
                                    fmt::format("copy of {} to '{}': {}", manifest.id, target.first,
                                                copied.error().to_string()));
    return copied.error();
  }
  const auto lock = backups_->lock_for(target.first);
  return nlohmann::json{
      {"tenant", tenant},
      {"backup", manifest.id},
      {"from", source.first},
      {"to", target.first},
      {"bytes", *copied},
      {"seconds", seconds},
      {"retained_until", lock.retain_until ? core::format_rfc3339(*lock.retain_until) : ""}};
}

}  // namespace ballast::app
