// A thin RAII layer over SQLite: one connection, prepared statements, transactions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "core/result.h"

namespace ballast::catalog {

// A prepared statement. Bind parameters by position (1-based), step, read columns.
class Statement final {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);
  Statement& bind_optional(int index, const std::optional<std::string>& text);

  // true: a row is ready; false: done. Errors (constraint, busy, I/O) become Error values.
  core::Result<bool> step();
  // Steps to completion, for statements without result rows.
  core::Status run();

  [[nodiscard]] std::string text(int column) const;
  [[nodiscard]] std::string blob(int column) const;
  [[nodiscard]] std::int64_t integer(int column) const;
  [[nodiscard]] bool is_null(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// One SQLite connection in WAL mode with foreign keys and a busy timeout. All use goes
// through `lock()` or `transaction()`, so one Database may be shared between threads.
class Database final {
 public:
  // kCorrupt when the file is not a SQLite database; kIo when it cannot be opened.
  static core::Result<std::unique_ptr<Database>> open(const std::filesystem::path& path);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Prepares a statement; the caller must hold lock().
  core::Result<Statement> prepare(std::string_view sql);
  // Runs one or more statements without parameters; the caller must hold lock().
  core::Status exec(std::string_view sql);
  // Runs `work` inside BEGIN IMMEDIATE … COMMIT, rolling back when it fails.
  core::Status transaction(const std::function<core::Status()>& work);
  [[nodiscard]] std::unique_lock<std::recursive_mutex> lock() { return std::unique_lock(mutex_); }
  [[nodiscard]] std::int64_t last_insert_id() const;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  // PRAGMA integrity_check; "ok" when healthy.
  core::Result<std::string> integrity_check();

 private:
  Database(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::filesystem::path path_;
  std::recursive_mutex mutex_;
};

// An Error for a failed SQLite call.
core::Error sqlite_error(sqlite3* db, int code, std::string_view what);

}  // namespace ballast::catalog
