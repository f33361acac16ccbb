#include "components/pgbackrest/stanza.h"

#include <fmt/format.h>

#include "core/file.h"
#include "core/text.h"

namespace ballast::components::pgbackrest {

std::string render(const Stanza& s) {
  std::string out =
      "# Written by Ballast; secrets are passed in the environment, not here.\n[global]\n";
  out += "compress-type=zst\ncompress-level=3\narchive-async=y\n";
  out += fmt::format("process-max={}\nspool-path={}\nlock-path={}\nlog-path={}\n", s.process_max,
                     s.spool_dir.string(), s.lock_dir.string(), s.log_dir.string());
  out += "log-level-console=warn\nlog-level-file=info\nstart-fast=y\ndelta=y\n";
  for (std::size_t i = 0; i < s.repos.size(); ++i) {
    const auto& r = s.repos[i];
    const std::string p = fmt::format("repo{}", i + 1);
    out += fmt::format("{}-cipher-type=aes-256-cbc\n", p);
    out += fmt::format("{}-retention-full={}\n{}-retention-diff={}\n", p, r.retention_full, p,
                       r.retention_diff);
    out += fmt::format("{}-path={}\n", p, r.path.string());
    if (r.is_s3) {
      out += fmt::format(
          "{0}-type=s3\n{0}-s3-endpoint={1}\n{0}-s3-bucket={2}\n{0}-s3-region={3}\n"
          "{0}-s3-uri-style=path\n",
          p, r.endpoint, r.bucket, r.region.empty() ? "us-east-1" : r.region);
      if (!r.verify_tls) out += fmt::format("{}-storage-verify-tls=n\n", p);
      if (!r.ca_file.empty()) out += fmt::format("{}-storage-ca-file={}\n", p, r.ca_file);
    }
  }
  out += fmt::format("\n[{}]\npg1-path={}\npg1-port={}\npg1-socket-path={}\npg1-user={}\n", s.name,
                     s.pg_data.string(), s.port, s.socket_dir.string(), s.pg_user);
  return out;
}

core::Status write(const Stanza& s, const core::Identity& owner) {
  for (const auto& dir : {s.config_file.parent_path(), s.spool_dir, s.lock_dir, s.log_dir}) {
    BALLAST_TRY(core::ensure_dir(dir, 0700));
    BALLAST_TRY(core::chown_path(dir, owner.uid, owner.gid));
  }
  for (const auto& r : s.repos) {
    if (r.is_s3) continue;
    BALLAST_TRY(core::ensure_dir(r.path, 0700));
    BALLAST_TRY(core::chown_path(r.path, owner.uid, owner.gid));
  }
  BALLAST_TRY(core::write_file_atomic(s.config_file, render(s), 0600));
  return core::chown_path(s.config_file, owner.uid, owner.gid);
}

std::map<std::string, std::string> secret_env(const Stanza& s) {
  std::map<std::string, std::string> env = {{"PGPASSWORD", s.pg_password.reveal()}};
  for (std::size_t i = 0; i < s.repos.size(); ++i) {
    const auto& r = s.repos[i];
    const std::string p = fmt::format("PGBACKREST_REPO{}", i + 1);
    env[p + "_CIPHER_PASS"] = r.cipher_pass.reveal();
    if (r.is_s3) {
      env[p + "_S3_KEY"] = r.s3_key.reveal();
      env[p + "_S3_KEY_SECRET"] = r.s3_secret.reveal();
    }
  }
  return env;
}

std::string archive_command(const Stanza& s) {
  return fmt::format("pgbackrest --config={} --stanza={} archive-push %p", s.config_file.string(),
                     s.name);
}

std::string restore_command(const Stanza& s, const std::filesystem::path& pg_path) {
  return fmt::format(
      "pgbackrest --config={} --stanza={} --pg1-path={} --archive-async=n "
      "archive-get %f \"%p\"",
      s.config_file.string(), s.name, pg_path.string());
}

core::Command command(const Stanza& s, const core::Identity& owner,
                      const std::vector<std::string>& args) {
  core::Command c{
      .argv = {"pgbackrest", "--config=" + s.config_file.string(), "--stanza=" + s.name},
      .env = secret_env(s),
      .unset_env = {"AWS_CA_BUNDLE"},
      .cwd = s.config_file.parent_path()};
  c.argv.insert(c.argv.end(), args.begin(), args.end());
  if (!owner.is_caller) {
    c.uid = owner.uid;
    c.gid = owner.gid;
  }
  return c;
}

core::Result<std::string> run(const Stanza& s, const core::Identity& owner,
                              const std::vector<std::string>& args, std::chrono::seconds timeout) {
  auto done = core::run(command(s, owner, args), timeout);
  if (!done.has_value()) return std::move(done).error();
  if (!done->status.is_success()) {
    std::string message = std::string(core::trim(done->err.empty() ? done->out : done->err));
    if (message.size() > 1500) message = message.substr(message.size() - 1500);
    return core::make_error(core::ErrorCode::kComponentFailed, "pgbackrest {} for '{}' {}: {}",
                            args.empty() ? "" : args.front(), s.name, done->status.describe(),
                            message);
  }
  return done->out;
}

namespace {

// pgBackRest writes null where a range is empty.
std::string text_of(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

RepoInfo parse_info(const nlohmann::json& json) {
  RepoInfo out;
  if (!json.is_array() || json.empty()) return out;
  const auto& stanza = json.front();
  for (const auto& b : stanza.value("backup", nlohmann::json::array())) {
    BackupInfo info;
    info.label = b.value("label", "");
    info.type = b.value("type", "");
    info.start = core::from_unix_seconds(b["timestamp"].value("start", 0LL));
    info.stop = core::from_unix_seconds(b["timestamp"].value("stop", 0LL));
    info.size_bytes = b["info"].value("size", 0ULL);
    info.repo_bytes = b["info"]["repository"].value("delta", 0ULL);
    info.lsn_start = b.contains("lsn") ? b["lsn"].value("start", "") : "";
    info.lsn_stop = b.contains("lsn") ? b["lsn"].value("stop", "") : "";
    if (b.contains("archive") && b["archive"].is_object()) {
      info.wal_start = text_of(b["archive"], "start");
      info.wal_stop = text_of(b["archive"], "stop");
    }
    if (b.contains("database") && b["database"].is_object())
      info.repo = b["database"].value("repo-key", 1);
    out.backups.push_back(info);
  }
  std::stable_sort(out.backups.begin(), out.backups.end(),
                   [](const BackupInfo& x, const BackupInfo& y) { return x.stop < y.stop; });
  for (const auto& a : stanza.value("archive", nlohmann::json::array())) {
    ArchiveRange range;
    if (a.contains("database") && a["database"].is_object())
      range.repo = a["database"].value("repo-key", 1);
    range.id = text_of(a, "id");
    range.min = text_of(a, "min");
    range.max = text_of(a, "max");
    if (range.repo == 1 || out.archives.empty()) {
      out.wal_min = range.min;
      out.wal_max = range.max;
    }
    out.archives.push_back(std::move(range));
  }
  return out;
}

std::vector<BackupInfo> RepoInfo::in_repo(int repo) const {
  std::vector<BackupInfo> out;
  for (const auto& b : backups) {
    if (b.repo == repo) out.push_back(b);
  }
  return out;
}

core::Result<RepoInfo> info(const Stanza& s, const core::Identity& owner) {
  BALLAST_ASSIGN_OR_RETURN(auto text,
                           run(s, owner, {"--output=json", "info"}, std::chrono::seconds(120)));
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) {
    return core::make_error(core::ErrorCode::kComponentFailed,
                            "pgbackrest info for '{}' is not JSON", s.name);
  }
  return parse_info(json);
}

}  // namespace ballast::components::pgbackrest
