// Exports of the audit trail as JSON lines that carry every column and both hashes, so a copy
// kept away from the host can be verified offline (docs/formats/audit-export.md).
#pragma once

#include <string>
#include <string_view>

#include "catalog/audit_log.h"
#include "catalog/records.h"

namespace ballast::security {

// One entry as a JSON object and "\n": seq, at, actor, action, target, outcome, detail (the
// stored JSON text, as a string), prev_hash, hash.
std::string export_line(const catalog::AuditEntry& entry);

// Re-checks an export with the chain's own rules: each line parses, sequence numbers follow
// on, each row links to the one before, each row's content matches its hash. An export that
// starts after row 1 is checked from its first row. Never fails: problems are reported.
catalog::AuditVerification verify_export(std::string_view text);

}  // namespace ballast::security
