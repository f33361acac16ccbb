// Ballast's own tenant backups: pg_dump (custom format) and the file store as a tar stream,
// each through zstd and authenticated encryption under the tenant's own key, streamed into a
// repository with bounded memory; then the sealed manifest. Verify and restore read them back.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "backup/manifest.h"
#include "backup/repository/repository.h"
#include "catalog/catalog.h"
#include "runtime/local/local_runtime.h"

namespace ballast::backup {

struct Progress {
  std::string phase;  // "database", "filestore", "manifest", "verify", "restore", "copy"…
  std::uint64_t bytes = 0;
  std::uint64_t total = 0;  // 0: unknown
  bool estimated = false;   // total is an estimate (a database's size before pg_dump)
};
using ProgressFn = std::function<void(const Progress&)>;

// Where a restore writes: a database to fill (it must exist, empty) and a file-store folder.
struct RestoreTarget {
  runtime::local::HostRef host;
  std::string database;
  std::string owner;  // the role that owns what is restored
  std::filesystem::path filestore;
};

class TenantBackups final {
 public:
  TenantBackups(catalog::Catalog& catalog, runtime::local::LocalRuntime& runtime)
      : catalog_(catalog), runtime_(runtime) {}

  // The tenant's backup key in force (its newest generation): kept apart from the tenant's
  // other secrets (scope "backup-key/<tenant>"), so backups stay readable after the tenant is
  // deleted. Generation 0 is named "key", later ones "key.<n>"; none is ever dropped.
  core::Result<core::Secret> key(const std::string& tenant);
  core::Result<std::uint32_t> key_generation(const std::string& tenant);
  // One generation; kNotFound when the tenant never had it.
  core::Result<core::Secret> key(const std::string& tenant, std::uint32_t generation);
  // Every generation, newest first: to open what older keys sealed.
  core::Result<std::vector<core::Secret>> keys(const std::string& tenant);
  // Adds a new generation: later backups (and file-store uploads) use it, older backups keep
  // theirs (their manifest names it). Returns the new generation.
  core::Result<std::uint32_t> rotate_key(const std::string& tenant);

  core::Result<Manifest> create(const catalog::TenantRecord& tenant, Repository& repository,
                                const std::string& repository_name, const std::string& reason,
                                const ProgressFn& progress = nullptr);
  // Backups with a valid manifest, newest first.
  core::Result<std::vector<Manifest>> list(const std::string& tenant, Repository& repository);
  core::Result<Manifest> manifest(const std::string& tenant, const std::string& id,
                                  Repository& repository);
  // Re-reads every part: checksums of what is stored and of the decrypted content.
  core::Status verify(const Manifest& manifest, Repository& repository,
                      const ProgressFn& progress = nullptr);
  core::Status restore(const Manifest& manifest, Repository& repository,
                       const RestoreTarget& target, const ProgressFn& progress = nullptr);
  // Object lock for new objects in a repository, from its spec (none when it asks for none).
  [[nodiscard]] PutOptions lock_for(const std::string& repository_name) const;
  // Deletes a backup. kLocked, naming the object and its date, when any object is still under
  // object lock; the manifest goes first, so a half-removed backup no longer exists.
  core::Status remove(const Manifest& manifest, Repository& repository);
  // Copies a backup's objects as stored (still encrypted and sealed), manifest last, under the
  // target repository's object lock. Returns the bytes copied.
  core::Result<std::uint64_t> copy_to(const Manifest& manifest, Repository& from, Repository& to,
                                      const std::string& to_name,
                                      const ProgressFn& progress = nullptr);

 private:
  // pg_dump of the tenant's database as of `snapshot` (exported by the caller's transaction).
  core::Result<Part> dump_database(const catalog::TenantRecord& tenant, Repository& repository,
                                   const std::string& key, const core::Secret& tenant_key,
                                   const PutOptions& lock, const std::string& snapshot,
                                   const ProgressFn& progress);
  core::Result<Part> dump_filestore(const catalog::TenantRecord& tenant, Repository& repository,
                                    const std::string& key, const core::Secret& tenant_key,
                                    const PutOptions& lock, const ProgressFn& progress);
  // Unpacks the file-store part into target.filestore.
  core::Status restore_filestore(const Part& files, const core::Secret& tenant_key,
                                 Repository& repository, const RestoreTarget& target,
                                 const ProgressFn& progress);
  // Versions, modules and data checks, read through `db` (the dump's snapshot).
  static core::Status describe(components::postgres::Connection& db, Manifest& manifest);
  catalog::Catalog& catalog_;
  runtime::local::LocalRuntime& runtime_;
};

// Row counts and checksums of the tables a services firm cares about (timesheets, invoices,
// partners, attachments), for drills to compare a restored copy against.
core::Result<nlohmann::json> data_checks(components::postgres::Connection& db);

// "20261122T130500.123Z-3fa9": sortable by time.
std::string new_backup_id(core::SystemTime now);

}  // namespace ballast::backup
