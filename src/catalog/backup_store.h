// BackupStore: every backup Ballast took or tried (tenant streams, cluster backups), with its
// outcome, size, duration and the point in time it covers.
#pragma once

#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/sqlite.h"
#include "core/clock.h"

namespace ballast::catalog {

struct BackupRecord {
  std::string id;
  std::string subject;  // "tenant/acme", "pool/main"
  std::string kind;     // tenant, full, diff, incr
  std::string repository;
  std::string state = "running";  // running, complete, failed, expired
  core::SystemTime started_at{};
  std::optional<core::SystemTime> finished_at;
  std::uint64_t size_bytes = 0;    // before compression
  std::uint64_t stored_bytes = 0;  // in the repository
  std::string lsn;
  std::string point_in_time;  // RFC 3339: what a restore of it brings back
  std::string error;
  nlohmann::json detail = nlohmann::json::object();
};

class BackupStore final {
 public:
  explicit BackupStore(Database& db) : db_(db) {}
  core::Status save(const BackupRecord& record);
  // Newest first.
  core::Result<std::vector<BackupRecord>> list(std::string_view subject, int limit = 200);
  core::Result<std::optional<BackupRecord>> find(std::string_view id);

 private:
  Database& db_;
};

}  // namespace ballast::catalog
