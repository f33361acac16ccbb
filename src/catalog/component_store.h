// ComponentStore: the real components the daemon runs (state, pid, port, restarts), and the
// loopback ports Ballast allocated, so a restart keeps them.
#pragma once

#include <optional>
#include <vector>

#include "catalog/records.h"
#include "catalog/sqlite.h"

namespace ballast::catalog {

class ComponentStore final {
 public:
  ComponentStore(Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

  core::Result<std::vector<ComponentRecord>> list();
  core::Result<std::optional<ComponentRecord>> find(std::string_view name);
  // Inserts or replaces by name; sets updated_at.
  core::Status save(const ComponentRecord& record);
  core::Status remove(std::string_view name);

  // The port recorded for `owner` (e.g. "pool/main/postgres"); else `preferred` when not 0,
  // else a free loopback port nobody else recorded. Recorded before it is returned.
  // kConflict when `preferred` belongs to another owner.
  core::Result<std::uint16_t> allocate_port(std::string_view owner, std::uint16_t preferred = 0);
  core::Result<std::optional<std::uint16_t>> recorded_port(std::string_view owner);
  core::Status release_port(std::string_view owner);

 private:
  Database& db_;
  const core::Clock& clock_;
};

// A port the kernel reports free on 127.0.0.1 right now.
core::Result<std::uint16_t> free_loopback_port();

}  // namespace ballast::catalog
