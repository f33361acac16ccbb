// Platform: the backup scheduler. The control loop starts a run about every 30 seconds, off its
// own thread; a run does what is due, one pgBackRest job at a time:
//   * each tenant's file store is linked into the keep (file-store continuity), and objects
//     Odoo deleted before the oldest recoverable point are forgotten;
//   * per pool and stack with repositories: the cluster backup that is due (full before diff
//     before incr, from the spec's schedule), `pgbackrest verify`, and each tenant's encrypted
//     streaming backup, copied to the policy's other repositories, then retention applied.
// Results go to the catalog's backups table (and a warning event on failure); a failed job is
// retried after min(its interval, 15 minutes).
#include <fmt/format.h>

#include "app/platform.h"
#include "backup/repository/registry.h"

namespace ballast::app {

using runtime::local::HostRef;

namespace {

struct Last {
  std::optional<core::SystemTime> success;
  std::optional<core::SystemTime> attempt;
  bool attempt_failed = false;
};

Last last_of(const std::vector<catalog::BackupRecord>& newest_first, std::string_view kind) {
  Last last;
  for (const auto& r : newest_first) {
    if (r.kind != kind) continue;
    if (!last.attempt) {
      last.attempt = r.started_at;
      last.attempt_failed = r.state == "failed";
    }
    if (r.state == "complete") {
      last.success = r.started_at;
      break;
    }
  }
  return last;
}

bool is_due(const Last& last, spec::Duration interval, core::SystemTime now) {
  if (interval.count() <= 0) return false;  // disabled
  if (last.attempt_failed && last.attempt) {
    const auto retry = std::min<spec::Duration>(interval, spec::Duration(15 * 60));
    if (now - *last.attempt < retry) return false;
  }
  return !last.success || now - *last.success >= interval;
}

}  // namespace

void Platform::run_schedules() {
  std::lock_guard run(schedule_run_);
  if (!runtime_) return;
  const auto now = clock_.now();
  auto tenants = catalog_->tenants().list();
  if (!tenants.has_value()) return;
  std::vector<std::pair<HostRef, const spec::BackupPolicy*>> hosts;
  for (const auto& p : spec_.pools) hosts.push_back({{HostRef::Kind::kPool, p.name}, &p.backup});
  for (const auto& s : spec_.stacks) hosts.push_back({{HostRef::Kind::kStack, s.name}, &s.backup});
  for (const auto& [host, policy] : hosts) {
    if (stopping_ || policy->repositories.empty()) continue;
    if (!runtime_->postgres_admin(host).has_value()) continue;  // not up (yet)
    // File-store continuity: link new objects into the keep and copy them off the host.
    auto primary = backup::open_repository(spec_, policy->repositories.front());
    for (const auto& t : *tenants) {
      const auto h = runtime::local::LocalRuntime::host_of(t);
      if (h.kind != host.kind || h.name != host.name) continue;
      (void)keep_->absorb(t.name);
      auto key = backups_->key(t.name);
      if (!primary.has_value() || !key.has_value()) continue;
      auto uploaded = keep_->upload(
          t.name, {**primary, *key, backups_->lock_for(policy->repositories.front())});
      if (!uploaded.has_value()) {
        (void)catalog_->events().record(catalog::EventLevel::kWarning, "tenant/" + t.name,
                                        "FilestoreUploadFailed", uploaded.error().to_string());
      }
    }
    if (auto ready = runtime_->ensure_archive(host); !ready.has_value()) {
      (void)catalog_->events().record(catalog::EventLevel::kWarning, host.owner(),
                                      "ArchiveNotReady", ready.error().to_string());
      continue;  // nothing to back up into yet; tried again next run
    }
    // Enough history that each repository's last full is still in it: a week of hourly
    // incrementals is ~170 records per repository (plus verifies).
    auto records = catalog_->backups().list(
        host.owner(),
        250 * static_cast<int>(std::max<std::size_t>(1, policy->repositories.size())));
    if (!records.has_value()) continue;
    const auto& schedule = policy->schedule;
    // Each repository keeps its own chain of full, differential and incremental backups: one
    // that was down catches up without making the others back up again.
    for (const auto& repository : policy->repositories) {
      if (stopping_) break;
      std::vector<catalog::BackupRecord> own;
      for (const auto& r : *records) {
        if (r.repository == repository) own.push_back(r);
      }
      std::string type;
      if (is_due(last_of(own, "full"), schedule.full, now)) {
        type = "full";
      } else if (is_due(last_of(own, "diff"), schedule.differential, now)) {
        type = "diff";
      } else if (is_due(last_of(own, "incr"), schedule.incremental, now)) {
        type = "incr";
      }
      if (type.empty()) continue;
      std::lock_guard jobs(cluster_jobs_);
      auto done = runtime_->cluster_backup(host, type, repository);
      if (!done.has_value()) {
        (void)catalog_->events().record(catalog::EventLevel::kWarning, host.owner(),
                                        "ClusterBackupFailed",
                                        type + " backup: " + done.error().to_string());
      }
    }
    if (!stopping_ && last_of(*records, "full").success.has_value() &&
        is_due(last_of(*records, "verify"), schedule.verify, now)) {
      catalog::BackupRecord record{
          "verify-" + host.slug() + "-" + std::to_string(core::unix_seconds(clock_.now())),
          host.owner(), "verify", policy->repositories.front()};
      record.started_at = clock_.now();
      std::lock_guard jobs(cluster_jobs_);
      auto verified = runtime_->verify_repository(host);
      record.finished_at = clock_.now();
      record.state = verified.has_value() ? "complete" : "failed";
      if (!verified.has_value()) {
        record.error = verified.error().to_string();
        (void)catalog_->events().record(catalog::EventLevel::kWarning, host.owner(),
                                        "RepositoryVerifyFailed", record.error);
      }
      (void)catalog_->backups().save(record);
    }
    // Each tenant's own encrypted backup, to the host's primary repository.
    for (const auto& t : *tenants) {
      if (stopping_) break;
      const auto h = runtime::local::LocalRuntime::host_of(t);
      if (h.kind != host.kind || h.name != host.name) continue;
      if (t.state != catalog::TenantState::kActive && t.state != catalog::TenantState::kSuspended)
        continue;
      auto own = catalog_->backups().list("tenant/" + t.name, 20);
      if (!own.has_value() || !is_due(last_of(*own, "tenant"), schedule.tenant, now)) continue;
      auto repo = backup::open_repository(spec_, policy->repositories.front());
      if (!repo.has_value()) continue;
      auto made = backups_->create(t, **repo, policy->repositories.front(), "scheduled");
      if (!made.has_value()) {
        (void)catalog_->events().record(catalog::EventLevel::kWarning, "tenant/" + t.name,
                                        "TenantBackupFailed", made.error().to_string());
        continue;
      }
      // The policy's other repositories hold copies (off-site); then retention on each.
      for (std::size_t i = 1; i < policy->repositories.size() && !stopping_; ++i) {
        const auto& name = policy->repositories[i];
        auto other = backup::open_repository(spec_, name);
        auto copied =
            other.has_value()
                ? backups_->copy_to(*made, **repo, **other, name).transform([](auto) { return 0; })
                : core::Result<int>(other.error());
        if (!copied.has_value()) {
          (void)catalog_->events().record(
              catalog::EventLevel::kWarning, "tenant/" + t.name, "BackupCopyFailed",
              fmt::format("copy of {} to '{}': {}", made->id, name, copied.error().to_string()));
        }
      }
      for (const auto& name : policy->repositories) {
        auto expired = backup_expire(t.name, name, false, Actor{"scheduler"});
        if (!expired.has_value()) {
          (void)catalog_->events().record(catalog::EventLevel::kWarning, "tenant/" + t.name,
                                          "BackupExpiryFailed", expired.error().to_string());
        }
      }
    }
    // Kept file-store objects older than anything recoverable go.
    if (auto window = runtime_->recovery_window(host); window.has_value()) {
      for (const auto& t : *tenants) {
        const auto h = runtime::local::LocalRuntime::host_of(t);
        if (h.kind != host.kind || h.name != host.name) continue;
        auto key = backups_->key(t.name);
        if (!primary.has_value() || !key.has_value()) continue;
        const backup::OffHost off{**primary, *key, {}};
        (void)keep_->expire(t.name, window->earliest, &off);
      }
    }
  }
  run_continuity_schedules(*tenants, now);
}

void Platform::run_continuity_schedules(const std::vector<catalog::TenantRecord>& tenants,
                                        core::SystemTime now) {
  if (!app_->is_configured()) return;
  // Journeys: light, every few minutes per active production tenant.
  for (const auto& t : tenants) {
    if (stopping_) return;
    if (!t.is_production() || t.state != catalog::TenantState::kActive) continue;
    auto latest = catalog_->continuity().latest_journeys(t.name);
    if (!latest.has_value()) continue;
    core::SystemTime newest{};
    for (const auto& j : *latest) newest = std::max(newest, j.at);
    if (!latest->empty() && now - newest < kJourneyInterval) continue;
    if (auto ran = journeys_run(t.name); !ran.has_value()) {
      (void)catalog_->events().record(catalog::EventLevel::kWarning, "tenant/" + t.name,
                                      "JourneyFailed", ran.error().to_string());
    }
  }
  // Drills: heavy, at most one per run, once start-up is well behind, on tenants whose cluster
  // can already be recovered (a first full backup exists).
  if (clock_.now() - started_at_ < std::chrono::minutes(10)) return;
  for (const auto& t : tenants) {
    if (stopping_) return;
    if (!t.is_production() || t.state != catalog::TenantState::kActive) continue;
    const spec::Pool* pool = spec_.find_pool(t.pool);
    const spec::Stack* stack = spec_.find_stack(t.stack);
    const spec::BackupPolicy* policy = pool != nullptr    ? &pool->backup
                                       : stack != nullptr ? &stack->backup
                                                          : nullptr;
    if (policy == nullptr || policy->repositories.empty() || policy->schedule.drill.count() <= 0)
      continue;
    auto last = catalog_->continuity().drills(t.name, 1);
    if (!last.has_value()) continue;
    if (!last->empty() && now - last->front().started_at < policy->schedule.drill) continue;
    const auto host = runtime::local::LocalRuntime::host_of(t);
    if (!runtime_->recovery_window(host).has_value()) continue;
    (void)drill_run({t.name, "latest"}, Actor{"daemon"});
    return;
  }
}

}  // namespace ballast::app
