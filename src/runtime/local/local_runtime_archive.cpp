// LocalRuntime: continuous archiving and cluster backups with pgBackRest.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <thread>

#include <fmt/format.h>
#include <sys/stat.h>

#include "components/pgbackrest/wal.h"
#include "components/postgres/cluster.h"
#include "core/crypto.h"
#include "core/file.h"
#include "core/text.h"
#include "runtime/local/local_runtime.h"

namespace ballast::runtime::local {

namespace pbr = components::pgbackrest;

namespace {

const spec::BackupPolicy* policy_of(const spec::Spec& spec, const HostRef& host) {
  if (host.kind == HostRef::Kind::kPool) {
    const auto* p = spec.find_pool(host.name);
    return p != nullptr ? &p->backup : nullptr;
  }
  const auto* s = spec.find_stack(host.name);
  return s != nullptr ? &s->backup : nullptr;
}

std::string endpoint_host(const std::string& url) {
  const auto scheme = url.find("://");
  std::string rest = scheme == std::string::npos ? url : url.substr(scheme + 3);
  return rest.substr(0, rest.find('/'));
}

core::Secret env_value(const std::string& name) {
  const char* v = name.empty() ? nullptr : std::getenv(name.c_str());
  return core::Secret(v != nullptr ? v : "");
}

// The segment after `name` ("TTTTTTTTLLLLLLLLSSSSSSSS", 16 MiB segments: 256 per log file).
std::string next_wal_segment(const std::string& name) {
  if (name.size() != 24 || name.find_first_not_of("0123456789ABCDEF") != std::string::npos)
    return "";
  auto log = std::stoul(name.substr(8, 8), nullptr, 16);
  auto seg = std::stoul(name.substr(16, 8), nullptr, 16) + 1;
  if (seg > 0xFF) {
    seg = 0;
    ++log;
  }
  return fmt::format("{}{:08X}{:08X}", name.substr(0, 8), log, seg);
}

}  // namespace

core::Result<pbr::Stanza> LocalRuntime::stanza(const HostRef& host) {
  pbr::Stanza s;
  s.name = host.slug();
  const auto dir = layout_.host_dir(host) / "pgbackrest";
  s.config_file = dir / "pgbackrest.conf";
  s.pg_data = layout_.pg_data(host);
  s.socket_dir = layout_.pg_socket_dir(host);
  BALLAST_ASSIGN_OR_RETURN(s.port, postgres_port(host));
  s.pg_user = components::postgres::kAdminRole;
  BALLAST_ASSIGN_OR_RETURN(s.pg_password, secret(host.owner(), "postgres_admin_password"));
  s.spool_dir = dir / "spool";
  s.lock_dir = dir / "lock";
  s.log_dir = dir / "log";  // under the host, where the component user can write
  const auto* policy = policy_of(spec_, host);
  if (policy == nullptr) return s;
  s.process_max = std::max<std::uint32_t>(1, policy->process_max);
  for (const auto& name : policy->repositories) {
    const spec::Repository* r = spec_.find_repository(name);
    if (r == nullptr) continue;
    pbr::Repo repo;
    repo.name = r->name;
    repo.is_s3 = r->type == spec::RepositoryType::kS3;
    repo.path = repo.is_s3
                    ? std::filesystem::path("/" + r->prefix + "/pgbackrest").lexically_normal()
                    : spec_.resolve(r->path) / "pgbackrest";
    repo.endpoint = endpoint_host(r->endpoint);
    repo.bucket = r->bucket;
    repo.region = r->region;
    repo.verify_tls = r->verify_tls;
    if (!r->ca_file.empty()) {
      repo.ca_file = spec_.resolve(r->ca_file).string();
      if (!identity_.is_caller) {
        // pgBackRest runs as the component user, who may not read the operator's file: it
        // gets its own copy beside the stanza.
        const auto copy = dir / ("ca-" + r->name + ".pem");
        BALLAST_ASSIGN_OR_RETURN(auto pem, core::read_file(repo.ca_file));
        if (core::read_file(copy).value_or("") != pem) {
          BALLAST_TRY(core::ensure_dir(dir, 0700));
          BALLAST_TRY(core::chown_path(dir, identity_.uid, identity_.gid));
          BALLAST_TRY(core::write_file_atomic(copy, pem, 0644));
        }
        repo.ca_file = copy.string();
      }
    }
    repo.retention_full = std::max<std::uint32_t>(1, r->retention.weekly);
    repo.retention_diff = std::max<std::uint32_t>(1, r->retention.daily);
    BALLAST_ASSIGN_OR_RETURN(repo.cipher_pass,
                             secret("repository/" + r->name, "pgbackrest_cipher_pass"));
    repo.s3_key = env_value(r->access_key_id_env);
    repo.s3_secret = env_value(r->secret_access_key_env);
    if (!repo.is_s3 && !identity_.is_caller) {
      // The component user reaches its pgbackrest/ folder through the repository's root.
      BALLAST_TRY(core::ensure_dir(spec_.resolve(r->path), 0711));
    }
    s.repos.push_back(std::move(repo));
  }
  return s;
}

core::Status LocalRuntime::ensure_stanza(const HostRef& host) {
  BALLAST_ASSIGN_OR_RETURN(auto s, stanza(host));
  if (s.repos.empty()) return core::ok();
  BALLAST_TRY(pbr::write(s, identity_));
  BALLAST_TRY(pbr::run(s, identity_, {"stanza-create"}, std::chrono::seconds(300)));
  return pbr::run(s, identity_, {"check"}, std::chrono::seconds(300))
      .and_then([](const std::string&) { return core::ok(); });
}

}  // namespace ballast::runtime::local

namespace ballast::runtime::local {

namespace pg = components::postgres;

core::Result<pbr::BackupInfo> LocalRuntime::cluster_backup(const HostRef& host,
                                                           const std::string& type,
                                                           const std::string& repository) {
  BALLAST_ASSIGN_OR_RETURN(auto s, stanza(host));
  if (s.repos.empty()) {
    return core::make_error(core::ErrorCode::kPreconditionFailed, "{} has no backup repository",
                            host.owner())
        .with_hint("List one under the pool's or stack's backup.repositories in the spec.");
  }
  std::size_t index = 0;
  if (!repository.empty()) {
    while (index < s.repos.size() && s.repos[index].name != repository) ++index;
    if (index == s.repos.size()) {
      std::vector<std::string> names;
      for (const auto& r : s.repos) names.push_back(r.name);
      return core::make_error(core::ErrorCode::kNotFound,
                              "{} does not back up to a repository called '{}'", host.owner(),
                              repository)
          .with_hint("Its repositories: " + core::join(names, ", ") + ".");
    }
  }
  const int repo = static_cast<int>(index) + 1;
  catalog::BackupRecord record{"cluster-" + std::to_string(core::unix_seconds(clock_.now())) + "-" +
                                   type + (repo > 1 ? "-" + s.repos[index].name : ""),
                               host.owner(), type, s.repos[index].name};
  record.started_at = clock_.now();
  BALLAST_TRY(catalog_.backups().save(record));
  auto done = pbr::run(s, identity_, {"backup", "--type=" + type, "--repo=" + std::to_string(repo)},
                       std::chrono::hours(12));
  record.finished_at = clock_.now();
  core::Result<pbr::BackupInfo> newest =
      core::make_error(core::ErrorCode::kInternal, "no backup listed");
  if (done.has_value()) {
    auto info = pbr::info(s, identity_);
    if (info.has_value()) {
      const auto held = info->in_repo(repo);
      if (!held.empty()) newest = held.back();
    } else {
      newest = info.error();
    }
  } else {
    newest =
        std::move(done).error().with_context("backing up to repository " + s.repos[index].name);
  }
  record.state = newest.has_value() ? "complete" : "failed";
  if (newest.has_value()) {
    record.detail["label"] = newest->label;
    record.detail["lsn_start"] = newest->lsn_start;
    record.detail["started"] = core::format_rfc3339(newest->start);
    record.size_bytes = newest->size_bytes;
    record.stored_bytes = newest->repo_bytes;
    record.lsn = newest->lsn_stop;
    record.point_in_time = core::format_rfc3339(newest->stop);
  } else {
    record.error = newest.error().to_string();
  }
  BALLAST_TRY(catalog_.backups().save(record));
  return newest;
}

core::Result<std::vector<LocalRuntime::WalCheck>> LocalRuntime::check_wal(const HostRef& host) {
  BALLAST_ASSIGN_OR_RETURN(auto s, stanza(host));
  if (s.repos.empty()) {
    return core::make_error(core::ErrorCode::kPreconditionFailed,
                            "{} does not archive its WAL: it has no backup repository",
                            host.owner());
  }
  // Everything written so far goes to the archive first; the window then ends at the segment
  // before the one PostgreSQL is writing (at a segment boundary, the one just finished).
  BALLAST_TRY(archive_now(host));
  BALLAST_ASSIGN_OR_RETURN(auto admin, postgres_admin(host));
  BALLAST_ASSIGN_OR_RETURN(
      auto position,
      admin.query("SELECT pg_walfile_name(pg_current_wal_lsn()), (pg_current_wal_lsn() - "
                  "'0/0'::pg_lsn)::bigint, (SELECT setting FROM pg_settings WHERE name = "
                  "'wal_segment_size')"));
  const std::uint64_t segment_bytes = std::stoull(position.at(0, 2));
  const std::uint64_t offset = std::stoull(position.at(0, 1));
  std::string end = position.at(0, 0);
  if (offset % segment_bytes != 0) end = pbr::previous_segment(end, segment_bytes).value_or("");
  // Asynchronous archiving may still be pushing a segment a timed switch just closed.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!end.empty() && std::chrono::steady_clock::now() < deadline) {
    auto archived = admin.query("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver");
    if (!archived.has_value() || archived->at(0, 0).substr(0, 24) >= end) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  BALLAST_ASSIGN_OR_RETURN(auto info, pbr::info(s, identity_));
  std::vector<WalCheck> out;
  for (std::size_t i = 0; i < s.repos.size(); ++i) {
    const int repo = static_cast<int>(i) + 1;
    WalCheck check{s.repos[i].name};
    const auto held = info.in_repo(repo);
    if (held.empty() || held.front().wal_start.empty()) {
      out.push_back(std::move(check));
      continue;
    }
    check.first = held.front().wal_start;
    check.last = end >= check.first ? end : held.back().wal_stop;
    std::string archive_id;
    for (const auto& range : info.archives) {
      if (range.repo == repo || archive_id.empty()) archive_id = range.id;
    }
    BALLAST_ASSIGN_OR_RETURN(auto present,
                             pbr::archived_segments(s, identity_, repo, archive_id,
                                                    pbr::archive_folders(check.first, check.last)));
    auto gap = pbr::missing_segments(check.first, check.last, present, segment_bytes);
    if (!gap.has_value()) {
      return std::move(gap).error().with_context("checking the WAL of repository " +
                                                 s.repos[i].name);
    }
    check.expected = gap->expected;
    check.missing = std::move(gap->missing);
    out.push_back(std::move(check));
  }
  return out;
}

core::Status LocalRuntime::ensure_archive(const HostRef& host) {
  std::lock_guard lock(archive_mutex_);
  if (archive_ready_.count(host.owner()) != 0U) return core::ok();
  BALLAST_TRY(ensure_stanza(host));
  archive_ready_.insert(host.owner());
  return core::ok();
}

core::Status LocalRuntime::heartbeat(const HostRef& host) {
  BALLAST_ASSIGN_OR_RETURN(auto admin, postgres_admin(host));
  BALLAST_TRY(
      admin.exec("DO $$ BEGIN IF to_regclass('ballast_heartbeat') IS NULL THEN "
                 "CREATE TABLE ballast_heartbeat (at timestamptz NOT NULL); END IF; END $$"));
  BALLAST_TRY(admin.exec("DELETE FROM ballast_heartbeat"));
  return admin.exec("INSERT INTO ballast_heartbeat VALUES (now())");
}

core::Status LocalRuntime::archive_now(const HostRef& host) {
  BALLAST_ASSIGN_OR_RETURN(auto s, stanza(host));
  if (s.repos.empty()) {
    return core::make_error(core::ErrorCode::kPreconditionFailed,
                            "{} does not archive its WAL: it has no backup repository",
                            host.owner())
        .with_hint("List one under the pool's or stack's backup.repositories in the spec.");
  }
  BALLAST_TRY(heartbeat(host));
  return pbr::run(s, identity_, {"check"}, std::chrono::seconds(300))
      .and_then([](const std::string&) { return core::ok(); });
}

core::Result<std::vector<std::string>> LocalRuntime::verify_findings(const HostRef& host) {
  BALLAST_ASSIGN_OR_RETURN(auto s, stanza(host));
  auto said = pbr::run(s, identity_,
                       {"verify", "--repo=1", "--log-level-console=info", "--log-level-stderr=off"},
                       std::chrono::hours(6));
  const std::string text = said.has_value() ? *said : said.error().message();
  std::vector<std::string> found;
  // Problems come as "INFO: invalid checksum '<set>/pg_data/base/…'", "INFO: missing …" or
  // warnings and errors.
  for (const auto& line : core::split(text, '\n')) {
    for (const char* level : {"INFO: ", "WARN: ", "ERROR: "}) {
      const auto at = line.find(level);
      if (at == std::string::npos) continue;
      auto finding = std::string(core::trim(line.substr(at + std::strlen(level))));
      if (level[0] != 'I' || finding.rfind("invalid ", 0) == 0 ||
          finding.rfind("missing ", 0) == 0) {
        found.push_back(std::move(finding));
      }
    }
  }
  return found;
}

core::Status LocalRuntime::verify_repository(const HostRef& host) {
  BALLAST_ASSIGN_OR_RETURN(auto s, stanza(host));
  for (std::size_t i = 0; i < s.repos.size(); ++i) {
    auto verified = pbr::run(s, identity_, {"verify", "--repo=" + std::to_string(i + 1)},
                             std::chrono::hours(6));
    if (!verified.has_value()) {
      return std::move(verified).error().with_context("verifying repository " + s.repos[i].name +
                                                      " of " + host.owner());
    }
  }
  return core::ok();
}

core::Result<LocalRuntime::RecoveryWindow> LocalRuntime::recovery_window(const HostRef& host) {
  BALLAST_ASSIGN_OR_RETURN(auto s, stanza(host));
  BALLAST_ASSIGN_OR_RETURN(auto info, pbr::info(s, identity_));
  // Recovery reads the first repository (restore_sandbox), so its backups make the window.
  const auto held = info.in_repo(1);
  if (held.empty()) {
    return core::make_error(core::ErrorCode::kNotFound,
                            "{} has no cluster backup yet: nothing to recover to", host.owner())
        .with_hint("Take one with 'ballast backup cluster " + host.name + "'.");
  }
  return RecoveryWindow{held.front().stop, clock_.now(), held.back().stop};
}

LocalRuntime::Sandbox::Sandbox(std::filesystem::path dir, core::Process postmaster,
                               std::uint16_t port)
    : dir_(std::move(dir)), postmaster_(std::move(postmaster)), port_(port) {}

LocalRuntime::Sandbox::~Sandbox() {
  postmaster_.signal(SIGINT);
  if (!postmaster_.wait_for(std::chrono::seconds(30))) {
    postmaster_.signal(SIGKILL);
    postmaster_.wait();
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::vector<std::string> LocalRuntime::remove_stale_sandboxes() {
  std::vector<std::string> removed;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(layout_.root / "sandboxes", ec)) {
    // Whatever still works on it: the copy's PostgreSQL and Odoo, a pgBackRest restore and its
    // helpers — every process whose command line names the sandbox.
    const auto marker = entry.path().string() + "/";
    for (const pid_t pid : core::processes_naming(marker)) ::kill(pid, SIGKILL);
    if (auto pid = components::postgres::running_pid(entry.path() / "data"); pid) {
      ::kill(*pid, SIGKILL);
    }
    std::filesystem::remove_all(entry.path(), ec);
    removed.push_back(entry.path().filename().string());
  }
  return removed;
}

core::Result<std::unique_ptr<LocalRuntime::Sandbox>> LocalRuntime::restore_sandbox(
    const HostRef& host, const std::string& database, core::SystemTime target) {
  BALLAST_ASSIGN_OR_RETURN(auto s, stanza(host));
  const auto dir =
      layout_.root / "sandboxes" / (host.slug() + "-" + core::hex_encode(core::random_bytes(4)));
  BALLAST_TRY(core::ensure_dir(layout_.root / "sandboxes", identity_.is_caller ? 0700 : 0711));
  BALLAST_TRY(core::ensure_dir(dir / "run", 0700));
  BALLAST_TRY(core::ensure_dir(dir / "data", 0700));
  BALLAST_TRY(core::chown_path(dir, identity_.uid, identity_.gid, true));
  // Milliseconds matter: a target truncated to the second can fall before a commit made in
  // that same second, and the copy would miss it.
  const std::string when = core::format_rfc3339_ms(target);  // 2026-11-22T09:30:00.250Z
  // The sandbox fetches WAL synchronously with a spool of its own. pgBackRest's restore empties
  // the stanza's spool, which the live cluster's asynchronous archive-push uses; and its
  // asynchronous archive-get can fail to fetch a segment that is in the archive when two of its
  // helpers race (pgBackRest 2.45), ending recovery early with "recovery ended before configured
  // recovery target was reached".
  auto restored = pbr::run(
      s, identity_,
      {"restore", "--pg1-path=" + (dir / "data").string(),
       "--spool-path=" + (dir / "spool").string(), "--type=time",
       "--target=" + when.substr(0, 10) + " " + when.substr(11, 12) + "+00",
       "--target-action=promote", "--db-include=" + database, "--archive-mode=off", "--repo=1",
       "--recovery-option=restore_command=" + pbr::restore_command(s, dir / "data")},
      std::chrono::hours(12));
  if (!restored.has_value()) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return std::move(restored).error().with_context("restoring " + host.owner() +
                                                    " into a sandbox");
  }
  BALLAST_ASSIGN_OR_RETURN(const auto port, catalog::free_loopback_port());
  core::Command command{
      .argv = {(pg::bin_dir() / "postgres").string(), "-D", (dir / "data").string(), "-p",
               std::to_string(port), "-k", (dir / "run").string(), "-c", "listen_addresses=", "-c",
               "archive_mode=off", "-c", "shared_buffers=64MB"},
      .env = pbr::secret_env(s),
      .unset_env = {"AWS_CA_BUNDLE"},
      .cwd = dir,
      .stdout_mode = core::Stdio::kFile,
      .stderr_mode = core::Stdio::kFile,
      .output_file = dir / "postgres.log",
      .die_with_parent = true};
  if (!identity_.is_caller) {
    command.uid = identity_.uid;
    command.gid = identity_.gid;
  }
  BALLAST_ASSIGN_OR_RETURN(auto process, core::Process::start(command));
  auto sandbox = std::make_unique<Sandbox>(dir, std::move(process), port);
  BALLAST_ASSIGN_OR_RETURN(auto password, secret(host.owner(), "postgres_admin_password"));
  const pg::ConnectionParams params{(dir / "run").string(), port, pg::kAdminRole, password,
                                    "postgres"};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::hours(6);
  while (std::chrono::steady_clock::now() < deadline) {
    auto conn = pg::Connection::open(params);
    if (conn.has_value()) {
      auto state = conn->query(
          "SELECT pg_is_in_recovery(), coalesce(to_char(pg_last_xact_replay_timestamp() "
          "AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), '')");
      if (state.has_value() && state->at(0, 0) == "f") {
        if (auto replayed = core::parse_rfc3339(state->at(0, 1)); replayed) {
          sandbox->reached = *replayed;
        } else {
          // No commit replayed after the base backup: the copy holds the data as the backup
          // that pgBackRest chose (the newest stopped before the target) left it.
          auto info = pbr::info(s, identity_);
          if (info.has_value()) {
            for (const auto& b : info->in_repo(1)) {
              if (b.stop < target) sandbox->reached = std::max(sandbox->reached, b.stop);
            }
          }
        }
        return sandbox;
      }
    }
    if (sandbox->has_stopped()) {
      // Recovery ended early: say why, from the postmaster's own log.
      const auto log = core::read_file(dir / "postgres.log").value_or("");
      std::string reason;
      std::string last_restored;
      for (const auto& line : core::split(log, '\n')) {
        if (line.find("starting up") != std::string::npos ||
            line.find("not yet accepting connections") != std::string::npos) {
          continue;  // our own readiness probe
        }
        const auto restored_at = line.find("restored log file \"");
        if (restored_at != std::string::npos) last_restored = line.substr(restored_at + 19, 24);
        if (line.find("FATAL") != std::string::npos || line.find("PANIC") != std::string::npos) {
          const auto text = line.find("FATAL") != std::string::npos
                                ? line.substr(line.find("FATAL"))
                                : line.substr(line.find("PANIC"));
          reason += std::string(reason.empty() ? "" : "; ") + std::string(core::trim(text));
        }
      }
      if (const auto next = next_wal_segment(last_restored); !next.empty()) {
        reason += "; the archive has no WAL segment " + next + " after " + last_restored;
      }
      if (reason.size() > 1500) reason = reason.substr(reason.size() - 1500);
      return core::make_error(core::ErrorCode::kCorrupt, "recovering {} to {} failed: {}",
                              host.owner(), when,
                              reason.empty() ? "the sandbox postmaster stopped" : reason)
          .with_hint(
              "A WAL segment the recovery needs may be missing or damaged in the "
              "repository: 'pgbackrest verify' (scheduled, or in 'ballast backup "
              "history') names it; a time before the gap, or a tenant backup, still "
              "restores.");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return core::make_error(core::ErrorCode::kTimeout, "the sandbox of {} did not finish recovery",
                          host.owner());
}

}  // namespace ballast::runtime::local
