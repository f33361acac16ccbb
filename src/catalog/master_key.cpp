#include "catalog/master_key.h"

#include <set>

#include <fcntl.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "core/file.h"

namespace ballast::catalog {
namespace {

namespace fs = std::filesystem;

core::Status fsync_dir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return core::errno_error(errno, "opening", dir);
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (rc != 0) return core::errno_error(saved, "syncing", dir);
  return core::ok();
}

core::Result<std::set<std::string>> sealed_key_ids(Database& db) {
  auto guard = db.lock();
  BALLAST_ASSIGN_OR_RETURN(auto s, db.prepare("SELECT DISTINCT key_id FROM secrets"));
  std::set<std::string> ids;
  for (;;) {
    BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
    if (!row) break;
    ids.insert(s.text(0));
  }
  return ids;
}

}  // namespace

core::Result<core::SecretBox> stage_master_key(const fs::path& state_dir) {
  const core::Secret key = core::SecretBox::generate_key();
  BALLAST_TRY(core::write_file_atomic(state_dir / kNextMasterKeyFile, key.reveal(), 0600));
  return core::SecretBox::create(key);
}

core::Status promote_master_key(const fs::path& state_dir) {
  const fs::path next = state_dir / kNextMasterKeyFile;
  const fs::path current = state_dir / kMasterKeyFile;
  if (::rename(next.c_str(), current.c_str()) != 0) {
    return core::errno_error(errno, "renaming the new master key over", current);
  }
  return fsync_dir(state_dir);
}

core::Status recover_master_key_rotation(const fs::path& state_dir, Database& db) {
  const fs::path next_path = state_dir / kNextMasterKeyFile;
  auto next_key = core::read_file(next_path, 1024);
  if (!next_key.has_value()) {
    if (next_key.error().code() == core::ErrorCode::kNotFound) return core::ok();
    return std::move(next_key).error();
  }
  auto next_box = core::SecretBox::create(core::Secret(std::move(next_key).value()));
  BALLAST_ASSIGN_OR_RETURN(const auto ids, sealed_key_ids(db));
  const bool committed = next_box.has_value() && ids.count(next_box->key_id()) == 1;
  if (committed && ids.size() > 1) {
    return core::make_error(core::ErrorCode::kCorrupt,
                            "secrets in '{}' are sealed under {} different master keys",
                            state_dir.string(), ids.size())
        .with_hint("Restore the catalog and master.key from the same backup.");
  }
  if (committed) return promote_master_key(state_dir);
  // The re-seal never committed: the rows still need the current key.
  std::error_code ec;
  fs::remove(next_path, ec);
  if (ec) return core::errno_error(ec.value(), "removing", next_path);
  return fsync_dir(state_dir);
}

core::Result<KeyRotation> rotate_master_key(const fs::path& state_dir, SecretStore& secrets) {
  KeyRotation rotation;
  rotation.old_key_id = secrets.key_id();
  BALLAST_ASSIGN_OR_RETURN(auto next, stage_master_key(state_dir));
  rotation.new_key_id = next.key_id();
  auto resealed = secrets.rotate_key(std::move(next));
  if (!resealed.has_value()) {
    std::error_code ec;
    fs::remove(state_dir / kNextMasterKeyFile, ec);
    return std::move(resealed).error().with_context("re-sealing the secrets");
  }
  rotation.secrets = *resealed;
  BALLAST_TRY(promote_master_key(state_dir));
  return rotation;
}

}  // namespace ballast::catalog
