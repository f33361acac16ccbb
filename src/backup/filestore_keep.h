// File-store continuity. Odoo's file store is content-addressed (filestore/<db>/xx/<sha1>) and
// Odoo deletes files no record references any more, so a database recovered to an earlier
// time can name files already gone. The keep holds a hard link to every file-store object it
// has seen (free while Odoo still has the file), and keeps an object Odoo deleted until the
// oldest recoverable point has moved past the deletion. A recovery fills a file store with
// exactly the objects the recovered database references.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "backup/repository/repository.h"
#include "components/postgres/connection.h"
#include "core/clock.h"
#include "core/result.h"
#include "core/secret.h"
#include "runtime/local/layout.h"

namespace ballast::backup {

struct KeepStats {
  std::size_t objects = 0;  // objects in the keep
  std::size_t added = 0;    // linked by this pass
  std::size_t deleted = 0;  // objects Odoo deleted, still kept
  std::uint64_t bytes_only_in_keep = 0;
};

// The keep's copy off the host: objects go to a repository under filestore/<tenant>/xx/<sha1>,
// encrypted with the tenant's backup key, each once.
struct OffHost {
  Repository& repository;
  const core::Secret& key;  // seals new uploads; opens objects first
  PutOptions lock;
  // Earlier generations of the tenant's backup key, tried when `key` cannot open an object
  // uploaded before a rotation.
  std::vector<core::Secret> older_keys{};
};

struct Recovered {
  std::size_t from_live = 0;
  std::size_t from_keep = 0;
  std::size_t from_repository = 0;
  std::vector<std::string> missing;  // referenced, found nowhere
};

// The file-store objects a database references (Odoo's ir_attachment.store_fname); none when
// the database has no attachment table.
core::Result<std::vector<std::string>> referenced_objects(components::postgres::Connection& db);

class FilestoreKeep final {
 public:
  explicit FilestoreKeep(runtime::local::Layout layout) : layout_(std::move(layout)) {}

  [[nodiscard]] std::filesystem::path dir(const std::string& tenant) const {
    return layout_.root / "filestore-keep" / tenant;
  }
  // Links every object of the tenant's file store not kept yet.
  core::Result<KeepStats> absorb(const std::string& tenant);
  // Uploads the kept objects not uploaded yet; how many.
  core::Result<std::size_t> upload(const std::string& tenant, const OffHost& off_host);
  // Forgets objects Odoo deleted before `horizon` (nothing recoverable can reference them),
  // here and, when given, in the repository.
  core::Result<std::size_t> expire(const std::string& tenant, core::SystemTime horizon,
                                   const OffHost* off_host = nullptr);
  // Fills `into` with `objects` (Odoo's store_fname values, "xx/<sha1>"), hard-linked from the
  // tenant's live file store or from the keep.
  // Objects gone from this host (a lost disk, a new host) come from `off_host` when given.
  core::Result<Recovered> recover(const std::string& tenant,
                                  const std::vector<std::string>& objects,
                                  const std::filesystem::path& into,
                                  const OffHost* off_host = nullptr);
  // "filestore/<tenant>/<name>"
  static std::string object_key(const std::string& tenant, const std::string& name);

 private:
  [[nodiscard]] std::filesystem::path index(const std::string& tenant) const {
    return layout_.root / "filestore-keep" / (tenant + ".uploaded");
  }
  runtime::local::Layout layout_;
};

// A store_fname is "xx/<hex>": two hex digits, a slash, hex; anything else is refused so a
// crafted database cannot name a path outside the file store.
bool is_store_name(const std::string& name);

}  // namespace ballast::backup
