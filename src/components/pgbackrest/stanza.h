// pgBackRest for one PostgreSQL cluster: the stanza's configuration (no secrets in the file;
// they travel in the environment), the archive_command PostgreSQL runs, and the commands Ballast
// runs (stanza-create, check, backup, info, verify, restore into a sandbox).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/identity.h"
#include "core/secret.h"
#include "core/subprocess.h"

namespace ballast::components::pgbackrest {

namespace fs = std::filesystem;

struct Repo {
  std::string name;  // the spec's repository name, for messages
  bool is_s3 = false;
  fs::path path;         // posix: directory; s3: path inside the bucket
  std::string endpoint;  // s3: host[:port]
  std::string bucket;
  std::string region;
  bool verify_tls = true;
  std::string ca_file;
  core::Secret cipher_pass;
  core::Secret s3_key;
  core::Secret s3_secret;
  std::uint32_t retention_full = 4;
  std::uint32_t retention_diff = 7;
};

struct Stanza {
  std::string name;  // "pool-main"
  fs::path config_file;
  fs::path pg_data;
  fs::path socket_dir;
  std::uint16_t port = 0;
  std::string pg_user;
  core::Secret pg_password;
  fs::path spool_dir;
  fs::path lock_dir;
  fs::path log_dir;
  std::uint32_t process_max = 2;
  std::vector<Repo> repos;
};

// The INI text (no secret in it).
std::string render(const Stanza& stanza);
core::Status write(const Stanza& stanza, const core::Identity& owner);
// Environment carrying the secrets (cipher passphrases, S3 keys, the database password).
std::map<std::string, std::string> secret_env(const Stanza& stanza);
// What PostgreSQL runs for each WAL segment (asynchronous archive-push).
std::string archive_command(const Stanza& stanza);
// What a restored copy at `pg_path` runs to fetch WAL: synchronous archive-get (see
// LocalRuntime::restore_sandbox for why not asynchronous).
std::string restore_command(const Stanza& stanza, const std::filesystem::path& pg_path);
// `pgbackrest --config=… --stanza=… ARGS…` as `owner`, with the secrets in its environment.
core::Command command(const Stanza& stanza, const core::Identity& owner,
                      const std::vector<std::string>& args);
// Runs a command; kComponentFailed quoting pgBackRest's message.
core::Result<std::string> run(const Stanza& stanza, const core::Identity& owner,
                              const std::vector<std::string>& args, std::chrono::seconds timeout);

struct BackupInfo {
  int repo = 1;  // which repository (1-based, the spec's order) holds it
  std::string label;
  std::string type;  // full, diff, incr
  core::SystemTime start{};
  core::SystemTime stop{};
  std::uint64_t size_bytes = 0;
  std::uint64_t repo_bytes = 0;
  std::string lsn_start;
  std::string lsn_stop;
  std::string wal_start;  // the first WAL segment the backup needs, e.g. 000000010000000000000003
  std::string wal_stop;
};

struct ArchiveRange {
  int repo = 1;
  std::string id;   // the archive's folder, e.g. "15-1" (PostgreSQL version and database id)
  std::string min;  // oldest and newest WAL segment archived there
  std::string max;
};

struct RepoInfo {
  std::vector<BackupInfo> backups;  // every repository's, oldest first
  std::vector<ArchiveRange> archives;
  std::string wal_min;  // the first repository's range
  std::string wal_max;

  // The backups one repository holds, oldest first.
  std::vector<BackupInfo> in_repo(int repo) const;
};

// `pgbackrest info --output=json` of the stanza, parsed.
core::Result<RepoInfo> info(const Stanza& stanza, const core::Identity& owner);
RepoInfo parse_info(const nlohmann::json& json);

}  // namespace ballast::components::pgbackrest
