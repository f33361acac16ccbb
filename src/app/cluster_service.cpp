// Platform: cluster-level backups with pgBackRest (full, differential, incremental) and what
// they make recoverable.
#include <fmt/format.h>

#include "app/platform.h"
#include "core/text.h"

namespace ballast::app {

using runtime::local::HostRef;

core::Result<HostRef> Platform::host_named(const std::string& name) const {
  const auto slash = name.find_first_of("/:");
  const std::string kind = slash == std::string::npos ? "" : name.substr(0, slash);
  const std::string bare = slash == std::string::npos ? name : name.substr(slash + 1);
  const bool pool = spec_.find_pool(bare) != nullptr && kind != "stack";
  const bool stack = spec_.find_stack(bare) != nullptr && kind != "pool";
  if (pool && stack) {
    return core::make_error(core::ErrorCode::kInvalidArgument, "'{}' names both a pool and a stack",
                            name)
        .with_hint("Say which: pool:" + bare + " or stack:" + bare + ".");
  }
  if (pool) return HostRef{HostRef::Kind::kPool, bare};
  if (stack) return HostRef{HostRef::Kind::kStack, bare};
  return core::make_error(core::ErrorCode::kNotFound, "no pool or stack is called '{}'", name)
      .with_hint("'ballast status' lists the pools and stacks.");
}

core::Result<nlohmann::json> Platform::cluster_backup(const std::string& host_name,
                                                      const std::string& type, const Actor& actor,
                                                      const std::string& repository) {
  BALLAST_TRY(require_runtime());
  BALLAST_ASSIGN_OR_RETURN(const auto host, host_named(host_name));
  if (type != "full" && type != "diff" && type != "incr") {
    return core::make_error(core::ErrorCode::kInvalidArgument, "'{}' is not a backup type", type)
        .with_hint("Use full, diff or incr.");
  }
  // The named repository, or each of the policy's; the runtime's error names the choices for
  // an unknown one, and says so when the host has none.
  std::vector<std::string> targets{repository};
  if (repository.empty()) {
    BALLAST_ASSIGN_OR_RETURN(auto stanza, runtime_->stanza(host));
    if (!stanza.repos.empty()) targets.clear();
    for (const auto& r : stanza.repos) targets.push_back(r.name);
  }
  const auto started = clock_.steady_now();
  nlohmann::json copies = nlohmann::json::array();
  std::vector<std::string> failed;
  std::optional<core::Error> first_error;
  std::optional<components::pgbackrest::BackupInfo> first;
  for (const auto& target : targets) {
    const auto one_started = clock_.steady_now();
    core::Result<components::pgbackrest::BackupInfo> done =
        core::Error(core::ErrorCode::kInternal, "not run");
    {
      std::lock_guard jobs(cluster_jobs_);          // one pgBackRest job per platform at a time
      BALLAST_TRY(runtime_->ensure_archive(host));  // e.g. a cluster adopted from before
      done = runtime_->cluster_backup(host, type, target);
    }
    const auto one_seconds =
        std::chrono::duration<double>(clock_.steady_now() - one_started).count();
    if (!done.has_value()) {
      failed.push_back(target);
      (void)catalog_->events().record(catalog::EventLevel::kWarning, host.owner(),
                                      "ClusterBackupFailed",
                                      type + " backup: " + done.error().to_string());
      copies.push_back(
          {{"repository", target}, {"error", done.error().to_string()}, {"seconds", one_seconds}});
      if (!first_error) first_error = done.error();
      continue;
    }
    if (!first) first = *done;
    copies.push_back({{"repository", target},
                      {"label", done->label},
                      {"started", core::format_rfc3339(done->start)},
                      {"stopped", core::format_rfc3339(done->stop)},
                      {"size_bytes", done->size_bytes},
                      {"stored_bytes", done->repo_bytes},
                      {"seconds", one_seconds}});
  }
  const auto seconds = std::chrono::duration<double>(clock_.steady_now() - started).count();
  nlohmann::json detail = {{"type", type}, {"seconds", seconds}, {"repositories", targets}};
  core::Status outcome = core::ok();
  if (first_error) {
    auto error = *first_error;
    if (failed.size() < targets.size()) {
      error = core::make_error(first_error->code(),
                               "the {} backup of {} failed in {} of {} repositories ({}): {}", type,
                               host.owner(), failed.size(), targets.size(),
                               core::join(failed, ", "), first_error->message())
                  .with_hint(
                      "The other repositories have it. Run the command again with "
                      "--repository " +
                      failed.front() + " once that repository is reachable.");
    }
    outcome = core::Status(error);
  }
  BALLAST_TRY(audit(actor, "backup.cluster", host.owner(), outcome, detail));
  if (!outcome.has_value()) return std::move(outcome).error();
  return nlohmann::json{{"cluster", host.owner()},
                        {"label", first->label},
                        {"type", first->type},
                        {"started", core::format_rfc3339(first->start)},
                        {"stopped", core::format_rfc3339(first->stop)},
                        {"size_bytes", first->size_bytes},
                        {"stored_bytes", first->repo_bytes},
                        {"lsn_start", first->lsn_start},
                        {"lsn_stop", first->lsn_stop},
                        {"repositories", copies},
                        {"seconds", seconds}};
}

core::Result<nlohmann::json> Platform::cluster_backups(const std::string& host_name) {
  BALLAST_TRY(require_runtime());
  BALLAST_ASSIGN_OR_RETURN(const auto host, host_named(host_name));
  BALLAST_ASSIGN_OR_RETURN(auto records, catalog_->backups().list(host.owner()));
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : records) {
    list.push_back({{"id", r.id},
                    {"type", r.kind},
                    {"state", r.state},
                    {"repository", r.repository},
                    {"started", core::format_rfc3339(r.started_at)},
                    {"finished", r.finished_at ? core::format_rfc3339(*r.finished_at) : ""},
                    {"size_bytes", r.size_bytes},
                    {"stored_bytes", r.stored_bytes},
                    {"lsn", r.lsn},
                    {"point_in_time", r.point_in_time},
                    {"error", r.error}});
  }
  nlohmann::json result = {{"cluster", host.owner()}, {"backups", list}};
  auto window = runtime_->recovery_window(host);
  if (window.has_value()) {
    result["recovery_window"] = {{"earliest", core::format_rfc3339(window->earliest)},
                                 {"latest", core::format_rfc3339(window->latest)}};
  }
  return result;
}

}  // namespace ballast::app
