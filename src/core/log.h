// Structured logging for operators: JSON lines (spdlog) with key=value fields.
// User-facing text never comes from here: it comes from Error.
#pragma once

#include <cstddef>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ballast::core::log {

enum class Level { kDebug, kInfo, kWarn, kError };

using Field = std::pair<std::string_view, std::string>;

// Sends log lines to `file` as JSON (one object per line, with "ts", "level", "msg" and the
// fields; empty values left out), and to stderr as text when `echo_to_stderr`. Until called,
// logs go to stderr only at warn and above. Thread-safe.
void init(const std::filesystem::path& file, Level level, bool echo_to_stderr);
// Back to the stderr-only default (used when the daemon exits and by tests).
void reset();

// Fields that every line written on this thread carries while the Context lives: the request
// id of the API call being served, the tenant a job works on. Nested contexts add to (and may
// override) the outer ones; the inner goes first on destruction.
class Context final {
 public:
  Context(std::initializer_list<Field> fields);
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  ~Context();

 private:
  std::size_t depth_;
};

void write(Level level, std::string_view message, std::initializer_list<Field> fields = {});
inline void debug(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kDebug, m, f);
}
inline void info(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kInfo, m, f);
}
inline void warn(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kWarn, m, f);
}
inline void error(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kError, m, f);
}

}  // namespace ballast::core::log
