#include "catalog/catalog.h"

#include <sys/stat.h>

#include "catalog/master_key.h"
#include "catalog/migrations.h"
#include "core/file.h"

namespace ballast::catalog {
namespace {

core::Result<core::Secret> load_or_create_key(const std::filesystem::path& path, OpenMode mode) {
  auto existing = core::read_file(path, 1024);
  if (existing.has_value()) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) ::chmod(path.c_str(), 0600);
    if (existing->size() != core::SecretBox::kKeyBytes) {
      return core::make_error(core::ErrorCode::kCorrupt, "master key '{}' is {} bytes, expected {}",
                              path.string(), existing->size(), core::SecretBox::kKeyBytes)
          .with_hint(
              "Restore master.key from your key backup; without it the secrets in the "
              "catalog cannot be read.");
    }
    return core::Secret(std::move(existing).value());
  }
  if (existing.error().code() != core::ErrorCode::kNotFound) return std::move(existing).error();
  if (mode == OpenMode::kExisting) {
    return core::make_error(core::ErrorCode::kNotFound, "master key '{}' is missing", path.string())
        .with_hint(
            "Restore master.key from your key backup; without it the secrets in the "
            "catalog cannot be read.");
  }
  core::Secret key = core::SecretBox::generate_key();
  BALLAST_TRY(core::write_file_atomic(path, key.reveal(), 0600));
  return key;
}

}  // namespace

core::Result<std::unique_ptr<Catalog>> Catalog::open(const std::filesystem::path& state_dir,
                                                     const core::Clock& clock, OpenMode mode) {
  const auto db_path = state_dir / kCatalogFile;
  if (mode == OpenMode::kExisting && !std::filesystem::exists(db_path)) {
    return core::make_error(core::ErrorCode::kNotFound, "no catalog in state directory '{}'",
                            state_dir.string())
        .with_hint("Run 'ballast up' to create the platform, or pass the right spec with -f.");
  }
  if (mode == OpenMode::kCreate) BALLAST_TRY(core::ensure_dir(state_dir, 0700));
  std::unique_ptr<Catalog> catalog(new Catalog());
  catalog->state_dir_ = state_dir;
  BALLAST_ASSIGN_OR_RETURN(catalog->db_, Database::open(db_path));
  ::chmod(db_path.c_str(), 0600);
  BALLAST_TRY(migrate(*catalog->db_));
  BALLAST_TRY(recover_master_key_rotation(state_dir, *catalog->db_));
  BALLAST_ASSIGN_OR_RETURN(core::Secret key, load_or_create_key(state_dir / kMasterKeyFile, mode));
  BALLAST_ASSIGN_OR_RETURN(auto box, core::SecretBox::create(key));
  auto& db = *catalog->db_;
  catalog->tenants_ = std::make_unique<TenantStore>(db, clock);
  catalog->components_ = std::make_unique<ComponentStore>(db, clock);
  catalog->secrets_ = std::make_unique<SecretStore>(db, clock, std::move(box));
  catalog->events_ = std::make_unique<EventStore>(db, clock);
  catalog->audit_ = std::make_unique<AuditLog>(db, clock, state_dir / "audit.head");
  catalog->backups_ = std::make_unique<BackupStore>(db);
  catalog->continuity_ = std::make_unique<ContinuityStore>(db);
  catalog->tokens_ = std::make_unique<TokenStore>(db);
  catalog->second_factors_ = std::make_unique<SecondFactorStore>(db);
  catalog->changes_ = std::make_unique<ChangeStore>(db, *catalog->secrets_);
  catalog->mail_ = std::make_unique<MailStore>(db, *catalog->secrets_);
  return catalog;
}

}  // namespace ballast::catalog
