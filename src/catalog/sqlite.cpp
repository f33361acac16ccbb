#include "catalog/sqlite.h"

#include <fmt/format.h>

namespace ballast::catalog {

core::Error sqlite_error(sqlite3* db, int code, std::string_view what) {
  const int primary = code & 0xff;
  core::ErrorCode ec = core::ErrorCode::kIo;
  if (primary == SQLITE_CONSTRAINT) ec = core::ErrorCode::kConflict;
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) ec = core::ErrorCode::kCorrupt;
  if (primary == SQLITE_FULL) ec = core::ErrorCode::kNoSpace;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) ec = core::ErrorCode::kLocked;
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  auto error = core::make_error(ec, "catalog: {} failed: {}", what, detail);
  if (ec == core::ErrorCode::kCorrupt) {
    error.with_hint(
        "The catalog file is damaged. Restore the state directory from a backup, or move it "
        "aside and run 'ballast up' to start afresh.");
  }
  return error;
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Statement& Statement::bind_optional(int index, const std::optional<std::string>& text) {
  return text ? bind(index, *text) : bind_null(index);
}

core::Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(db_, rc, fmt::format("'{}'", sqlite3_sql(stmt_)));
}

core::Status Statement::run() {
  for (;;) {
    BALLAST_ASSIGN_OR_RETURN(const bool row, step());
    if (!row) return core::ok();
  }
}

std::string Statement::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p),
          static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::string Statement::blob(int column) const {
  const void* p = sqlite3_column_blob(stmt_, column);
  if (p == nullptr) return {};
  return {static_cast<const char*>(p),
          static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

core::Result<std::unique_ptr<Database>> Database::open(const std::filesystem::path& path) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  std::unique_ptr<Database> db(new Database(raw, path));
  if (rc != SQLITE_OK) return sqlite_error(raw, rc, fmt::format("opening '{}'", path.string()));
  sqlite3_busy_timeout(raw, 5000);
  // journal_mode is the first statement to touch the file: it reports a non-database file.
  auto status =
      db->exec("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;");
  if (!status.has_value()) return std::move(status).error();
  return db;
}

Database::~Database() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

core::Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, fmt::format("preparing '{}'", sql));
  return Statement(db_, stmt);
}

core::Status Database::exec(std::string_view sql) {
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, "executing statements");
  return core::ok();
}

core::Status Database::transaction(const std::function<core::Status()>& work) {
  auto guard = lock();
  BALLAST_TRY(exec("BEGIN IMMEDIATE"));
  auto status = work();
  if (!status.has_value()) {
    (void)exec("ROLLBACK");
    return status;
  }
  auto committed = exec("COMMIT");
  if (!committed.has_value()) (void)exec("ROLLBACK");
  return committed;
}

std::int64_t Database::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }

core::Result<std::string> Database::integrity_check() {
  auto guard = lock();
  BALLAST_ASSIGN_OR_RETURN(auto stmt, prepare("PRAGMA integrity_check"));
  std::string out;
  for (;;) {
    BALLAST_ASSIGN_OR_RETURN(const bool row, stmt.step());
    if (!row) break;
    if (!out.empty()) out += "\n";
    out += stmt.text(0);
  }
  return out;
}

}  // namespace ballast::catalog
