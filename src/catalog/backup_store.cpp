#include "catalog/backup_store.h"

namespace ballast::catalog {
namespace {

constexpr std::string_view kColumns =
    "id, subject, kind, repository, state, started_at, finished_at, size_bytes, stored_bytes, lsn, "
    "point_in_time, error, detail";

BackupRecord read_row(const Statement& s) {
  BackupRecord r;
  r.id = s.text(0);
  r.subject = s.text(1);
  r.kind = s.text(2);
  r.repository = s.text(3);
  r.state = s.text(4);
  r.started_at = core::parse_rfc3339(s.text(5)).value_or(core::SystemTime{});
  if (!s.is_null(6)) r.finished_at = core::parse_rfc3339(s.text(6));
  r.size_bytes = static_cast<std::uint64_t>(s.integer(7));
  r.stored_bytes = static_cast<std::uint64_t>(s.integer(8));
  r.lsn = s.text(9);
  r.point_in_time = s.text(10);
  r.error = s.text(11);
  r.detail = nlohmann::json::parse(s.text(12), nullptr, false);
  return r;
}

}  // namespace

core::Status BackupStore::save(const BackupRecord& r) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(
      auto s, db_.prepare(fmt::format("INSERT OR REPLACE INTO backups ({}) VALUES (?1, ?2, ?3, ?4, "
                                      "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                                      kColumns)));
  s.bind(1, r.id).bind(2, r.subject).bind(3, r.kind).bind(4, r.repository).bind(5, r.state);
  s.bind(6, core::format_rfc3339(r.started_at));
  if (r.finished_at) {
    s.bind(7, core::format_rfc3339(*r.finished_at));
  } else {
    s.bind_null(7);
  }
  s.bind(8, static_cast<std::int64_t>(r.size_bytes))
      .bind(9, static_cast<std::int64_t>(r.stored_bytes));
  s.bind(10, r.lsn).bind(11, r.point_in_time).bind(12, r.error).bind(13, r.detail.dump());
  return s.run();
}

core::Result<std::vector<BackupRecord>> BackupStore::list(std::string_view subject, int limit) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(
      auto s,
      db_.prepare(fmt::format("SELECT {} FROM backups WHERE subject = ? ORDER BY started_at "
                              "DESC, id DESC LIMIT ?",
                              kColumns)));
  s.bind(1, subject).bind(2, static_cast<std::int64_t>(limit));
  std::vector<BackupRecord> out;
  for (;;) {
    BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
    if (!row) break;
    out.push_back(read_row(s));
  }
  return out;
}

core::Result<std::optional<BackupRecord>> BackupStore::find(std::string_view id) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(
      auto s, db_.prepare(fmt::format("SELECT {} FROM backups WHERE id = ?", kColumns)));
  s.bind(1, id);
  BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
  if (!row) return std::optional<BackupRecord>();
  return std::optional<BackupRecord>(read_row(s));
}

}  // namespace ballast::catalog
