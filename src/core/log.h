// Structured logging for operators: JSON lines (spdlog) with key=value fields.
// User-facing text never comes from here: it comes from Error.
#pragma once

#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace ballast::core::log {

enum class Level { kDebug, kInfo, kWarn, kError };

using Field = std::pair<std::string_view, std::string>;

// Sends log lines to `file` as JSON (one object per line, with "ts", "level", "msg" and the
// fields), and to stderr as text when `echo_to_stderr`. Until called, logs go to stderr only
// at warn and above. Thread-safe.
void init(const std::filesystem::path& file, Level level, bool echo_to_stderr);
// Back to the stderr-only default (used when the daemon exits and by tests).
void reset();

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
