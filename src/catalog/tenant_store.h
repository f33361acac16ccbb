// TenantStore: the tenants the platform hosts, as last applied.
#pragma once

#include <optional>
#include <vector>

#include "catalog/records.h"
#include "catalog/sqlite.h"

namespace ballast::catalog {

class TenantStore final {
 public:
  TenantStore(Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

  core::Result<std::vector<TenantRecord>> list();
  core::Result<std::optional<TenantRecord>> find(std::string_view name);
  // kNotFound (with a hint) when absent.
  core::Result<TenantRecord> get(std::string_view name);
  // Inserts or replaces by name; sets updated_at (and created_at on insert), bumps generation.
  core::Status save(const TenantRecord& record);
  core::Status set_state(std::string_view name, TenantState state);
  core::Status remove(std::string_view name);

 private:
  Database& db_;
  const core::Clock& clock_;
};

}  // namespace ballast::catalog
