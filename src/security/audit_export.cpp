#include "security/audit_export.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "core/text.h"

namespace ballast::security {
namespace {

constexpr std::array<const char*, 8> kTextFields = {"at",      "actor",  "action",    "target",
                                                    "outcome", "detail", "prev_hash", "hash"};

// The entry of one export line, or why it is not one.
core::Result<catalog::AuditEntry> parse_line(std::string_view line) {
  const auto json = nlohmann::json::parse(line, nullptr, false);
  if (!json.is_object() || !json.contains("seq") || !json["seq"].is_number_integer()) {
    return core::Error(core::ErrorCode::kCorrupt, "not an audit export line");
  }
  for (const char* field : kTextFields) {
    if (!json.contains(field) || !json[field].is_string()) {
      return core::make_error(core::ErrorCode::kCorrupt, "field '{}' is missing", field);
    }
  }
  catalog::AuditEntry e;
  e.seq = json["seq"].get<std::int64_t>();
  const auto at_text = json["at"].get<std::string>();
  const auto at = core::parse_rfc3339(at_text);
  if (!at || core::format_rfc3339_ms(*at) != at_text) {
    return core::Error(core::ErrorCode::kCorrupt, "'at' is not a stored timestamp");
  }
  e.at = *at;
  e.actor = json["actor"].get<std::string>();
  e.action = json["action"].get<std::string>();
  e.target = json["target"].get<std::string>();
  e.outcome = json["outcome"].get<std::string>();
  e.detail = json["detail"].get<std::string>();
  e.prev_hash = json["prev_hash"].get<std::string>();
  e.hash = json["hash"].get<std::string>();
  return e;
}

}  // namespace

std::string export_line(const catalog::AuditEntry& e) {
  const nlohmann::ordered_json line = {{"seq", e.seq},       {"at", core::format_rfc3339_ms(e.at)},
                                       {"actor", e.actor},   {"action", e.action},
                                       {"target", e.target}, {"outcome", e.outcome},
                                       {"detail", e.detail}, {"prev_hash", e.prev_hash},
                                       {"hash", e.hash}};
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

catalog::AuditVerification verify_export(std::string_view text) {
  catalog::AuditVerification report;
  auto problem = [&](std::string message) {
    report.is_intact = false;
    report.problems.push_back(std::move(message));
  };
  std::optional<std::string> previous;
  std::int64_t expected_seq = 0;
  std::size_t line_number = 0;
  for (const auto& line : core::split(text, '\n')) {
    ++line_number;
    if (core::trim(line).empty()) continue;
    auto entry = parse_line(line);
    if (!entry.has_value()) {
      problem(fmt::format("line {}: {}", line_number, entry.error().message()));
      continue;
    }
    const auto& e = *entry;
    ++report.rows;
    if (previous && e.seq != expected_seq) {
      problem(fmt::format("row {}: expected row {} next: rows are missing or out of order", e.seq,
                          expected_seq));
    }
    if (previous && e.prev_hash != *previous) {
      problem(fmt::format("row {}: does not link to the row before it", e.seq));
    }
    if (!previous && e.seq == 1 && e.prev_hash != catalog::AuditLog::kGenesisHash) {
      problem("row 1: does not start the chain");
    }
    if (core::sha256_hex(catalog::AuditLog::canonical(e)) != e.hash) {
      problem(fmt::format("row {}: content does not match its hash (edited)", e.seq));
    }
    previous = e.hash;
    expected_seq = e.seq + 1;
  }
  if (report.rows == 0) problem("the export holds no audit rows");
  return report;
}

}  // namespace ballast::security
