// AuditLog: the append-only, hash-chained record of every change (docs/formats/audit-chain.md).
// Each row stores SHA-256(previous row's hash + its own canonical content); the newest
// (seq, hash) is also written to audit.head beside the catalog, so removing the last rows is
// detected too.
#pragma once

#include <filesystem>
#include <vector>

#include "catalog/records.h"
#include "catalog/sqlite.h"

namespace ballast::catalog {

struct AuditVerification {
  std::int64_t rows = 0;
  bool is_intact = true;
  std::vector<std::string> problems;  // "row 7: content does not match its hash", …
};

class AuditLog final {
 public:
  AuditLog(Database& db, const core::Clock& clock, std::filesystem::path head_file)
      : db_(db), clock_(clock), head_file_(std::move(head_file)) {}

  // Appends an entry (seq, at, hashes are filled in); returns it as stored.
  core::Result<AuditEntry> append(AuditEntry entry);
  // Oldest first, from `after_seq` (exclusive); at most `limit`.
  core::Result<std::vector<AuditEntry>> list(std::int64_t after_seq = 0, int limit = 1000);
  // Walks the whole chain.
  core::Result<AuditVerification> verify();

  // The canonical text hashed for a row (everything but its own hash).
  static std::string canonical(const AuditEntry& entry);
  static constexpr std::string_view kGenesisHash =
      "0000000000000000000000000000000000000000000000000000000000000000";

 private:
  Database& db_;
  const core::Clock& clock_;
  std::filesystem::path head_file_;
};

}  // namespace ballast::catalog
