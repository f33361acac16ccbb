// The catalog: Ballast's own state in SQLite in the state directory, opened with its master
// key. One store per table; all stores share one connection and are safe across threads.
#pragma once

#include <filesystem>
#include <memory>

#include "catalog/audit_log.h"
#include "catalog/backup_store.h"
#include "catalog/change_store.h"
#include "catalog/component_store.h"
#include "catalog/continuity_store.h"
#include "catalog/event_store.h"
#include "catalog/mail_store.h"
#include "catalog/second_factor_store.h"
#include "catalog/secret_store.h"
#include "catalog/sqlite.h"
#include "catalog/tenant_store.h"
#include "catalog/token_store.h"
#include "core/clock.h"

namespace ballast::catalog {

inline constexpr std::string_view kCatalogFile = "catalog.db";
inline constexpr std::string_view kMasterKeyFile = "master.key";

enum class OpenMode { kExisting, kCreate };

class Catalog final {
 public:
  // Opens the catalog of `state_dir`. kCreate makes the directory (0700), the master key
  // (0600) and the database when missing; kExisting fails with kNotFound instead. kCorrupt
  // when the database or the key is damaged.
  static core::Result<std::unique_ptr<Catalog>> open(const std::filesystem::path& state_dir,
                                                     const core::Clock& clock, OpenMode mode);

  TenantStore& tenants() { return *tenants_; }
  ComponentStore& components() { return *components_; }
  SecretStore& secrets() { return *secrets_; }
  EventStore& events() { return *events_; }
  AuditLog& audit() { return *audit_; }
  BackupStore& backups() { return *backups_; }
  TokenStore& tokens() { return *tokens_; }
  ContinuityStore& continuity() { return *continuity_; }
  SecondFactorStore& second_factors() { return *second_factors_; }
  ChangeStore& changes() { return *changes_; }
  MailStore& mail() { return *mail_; }
  Database& db() { return *db_; }
  [[nodiscard]] const std::filesystem::path& state_dir() const { return state_dir_; }

 private:
  Catalog() = default;
  std::filesystem::path state_dir_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<TenantStore> tenants_;
  std::unique_ptr<ComponentStore> components_;
  std::unique_ptr<SecretStore> secrets_;
  std::unique_ptr<EventStore> events_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<BackupStore> backups_;
  std::unique_ptr<TokenStore> tokens_;
  std::unique_ptr<ContinuityStore> continuity_;
  std::unique_ptr<SecondFactorStore> second_factors_;
  std::unique_ptr<ChangeStore> changes_;
  std::unique_ptr<MailStore> mail_;
};

}  // namespace ballast::catalog
