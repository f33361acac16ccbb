#include "catalog/audit_log.h"

#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "core/file.h"
#include "core/text.h"

namespace ballast::catalog {
namespace {

AuditEntry read_row(const Statement& s) {
  AuditEntry e;
  e.seq = s.integer(0);
  e.at = core::parse_rfc3339(s.text(1)).value_or(core::SystemTime{});
  e.actor = s.text(2);
  e.action = s.text(3);
  e.target = s.text(4);
  e.outcome = s.text(5);
  e.detail = s.text(6);
  e.prev_hash = s.text(7);
  e.hash = s.text(8);
  return e;
}

// The raw `at` text is hashed as stored, so parse/format round trips cannot break the chain.
struct RawRow {
  AuditEntry entry;
  std::string at_text;
};

std::string canonical_with(const AuditEntry& e, const std::string& at_text) {
  const nlohmann::json content = {
      {"seq", e.seq},       {"at", at_text},        {"actor", e.actor},  {"action", e.action},
      {"target", e.target}, {"outcome", e.outcome}, {"detail", e.detail}};
  return e.prev_hash + "\n" + content.dump();
}

}  // namespace

std::string AuditLog::canonical(const AuditEntry& entry) {
  return canonical_with(entry, core::format_rfc3339_ms(entry.at));
}

core::Result<AuditEntry> AuditLog::append(AuditEntry entry) {
  AuditEntry stored;
  BALLAST_TRY(db_.transaction([&]() -> core::Status {
    BALLAST_ASSIGN_OR_RETURN(auto last,
                             db_.prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"));
    BALLAST_ASSIGN_OR_RETURN(const bool has_last, last.step());
    entry.seq = has_last ? last.integer(0) + 1 : 1;
    entry.prev_hash = has_last ? last.text(1) : std::string(kGenesisHash);
    entry.at = clock_.now();
    if (entry.detail.empty()) entry.detail = "{}";
    const std::string at_text = core::format_rfc3339_ms(entry.at);
    entry.hash = core::sha256_hex(canonical_with(entry, at_text));
    BALLAST_ASSIGN_OR_RETURN(
        auto insert, db_.prepare("INSERT INTO audit (seq, at, actor, action, target, outcome, "
                                 "detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    insert.bind(1, entry.seq).bind(2, at_text).bind(3, entry.actor).bind(4, entry.action);
    insert.bind(5, entry.target).bind(6, entry.outcome).bind(7, entry.detail);
    insert.bind(8, entry.prev_hash).bind(9, entry.hash);
    BALLAST_TRY(insert.run());
    stored = entry;
    return core::ok();
  }));
  // After the commit: a crash in between leaves the head one row behind, which verify accepts
  // (the head is a lower bound); a head ahead of the chain means rows were removed.
  BALLAST_TRY(
      core::write_file_atomic(head_file_, fmt::format("{} {}\n", stored.seq, stored.hash), 0600));
  return stored;
}

core::Result<std::vector<AuditEntry>> AuditLog::list(std::int64_t after_seq, int limit) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(
      auto s, db_.prepare("SELECT seq, at, actor, action, target, outcome, detail, prev_hash, "
                          "hash FROM audit WHERE seq > ? ORDER BY seq LIMIT ?"));
  s.bind(1, after_seq).bind(2, static_cast<std::int64_t>(limit));
  std::vector<AuditEntry> out;
  for (;;) {
    BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
    if (!row) break;
    out.push_back(read_row(s));
  }
  return out;
}

core::Result<AuditVerification> AuditLog::verify() {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(
      auto s, db_.prepare("SELECT seq, at, actor, action, target, outcome, detail, prev_hash, "
                          "hash FROM audit ORDER BY seq"));
  AuditVerification report;
  std::string previous(kGenesisHash);
  std::int64_t expected_seq = 1;
  std::map<std::int64_t, std::string> hashes;
  auto problem = [&](std::string text) {
    report.is_intact = false;
    report.problems.push_back(std::move(text));
  };
  for (;;) {
    BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
    if (!row) break;
    const AuditEntry e = read_row(s);
    ++report.rows;
    if (e.seq != expected_seq) {
      problem(fmt::format("row {}: expected row {} next: rows {}–{} are missing", e.seq,
                          expected_seq, expected_seq, e.seq - 1));
    }
    if (e.prev_hash != previous) {
      problem(fmt::format("row {}: does not link to the row before it", e.seq));
    }
    if (core::sha256_hex(canonical_with(e, s.text(1))) != e.hash) {
      problem(fmt::format("row {}: content does not match its hash (edited)", e.seq));
    }
    previous = e.hash;
    expected_seq = e.seq + 1;
    hashes[e.seq] = e.hash;
  }
  auto head = core::read_file(head_file_, 256);
  if (head.has_value()) {
    const auto parts = core::split(core::trim(*head), ' ');
    const std::int64_t head_seq = parts.size() == 2 ? std::atoll(parts[0].c_str()) : -1;
    auto it = hashes.find(head_seq);
    if (head_seq < 0) {
      problem("audit.head is malformed");
    } else if (it == hashes.end()) {
      problem(
          fmt::format("the newest rows are missing: audit.head records row {} but the chain "
                      "ends at row {}",
                      head_seq, expected_seq - 1));
    } else if (it->second != parts[1]) {
      problem(fmt::format("row {}: hash differs from the one recorded in audit.head", head_seq));
    }
  } else if (report.rows > 0) {
    problem("audit.head is missing: the end of the chain cannot be checked");
  }
  return report;
}

}  // namespace ballast::catalog
