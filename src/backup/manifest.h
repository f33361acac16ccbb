// The manifest of a tenant backup (docs/formats/tenant-backup.md): its parts with sizes and
// checksums, versions, modules, the point in time it covers, and data checks. Written last and
// sealed with the tenant's key; a backup without a valid manifest does not exist.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/result.h"

namespace ballast::backup {

struct Part {
  std::string name;  // "database", "filestore"
  std::string key;   // object key in the repository
  std::uint64_t plain_bytes = 0;
  std::string plain_sha256;
  std::uint64_t stored_bytes = 0;
  std::string stored_sha256;
};

struct Manifest {
  int format = 1;
  std::string tenant;
  std::string id;
  std::string repository;
  core::SystemTime started_at{};
  core::SystemTime finished_at{};
  std::string postgres_version;
  std::string odoo_version;
  std::vector<std::string> modules;
  std::string lsn;                   // WAL position the dump corresponds to
  core::SystemTime point_in_time{};  // the moment the dump's snapshot was taken
  std::string reason;                // "scheduled", "manual", "pre-upgrade", "final"
  std::uint32_t key_generation = 0;  // the tenant's backup key that sealed it (absent: 0)
  nlohmann::json checks = nlohmann::json::object();  // row counts and checksums of key tables
  std::vector<Part> parts;
  [[nodiscard]] const Part* part(std::string_view name) const;
};

nlohmann::json to_json(const Manifest& manifest);
core::Result<Manifest> manifest_from_json(const nlohmann::json& json);

// "tenants/<tenant>/<id>/"
std::string backup_prefix(const std::string& tenant, const std::string& id);

}  // namespace ballast::backup
