#include "core/log.h"

#include <algorithm>
#include <mutex>

#include <nlohmann/json.hpp>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "core/clock.h"

namespace ballast::core::log {
namespace {

struct Sinks {
  std::mutex mutex;
  std::shared_ptr<spdlog::logger> file;
  std::shared_ptr<spdlog::logger> console;
  Level level = Level::kWarn;
  bool echo = true;
};

Sinks& sinks() {
  static Sinks instance;
  return instance;
}

std::string_view level_name(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

std::shared_ptr<spdlog::logger> make_console() {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("ballast-console", sink);
  logger->set_pattern("%H:%M:%S %^%l%$ %v");
  return logger;
}

}  // namespace

void init(const std::filesystem::path& file, Level level, bool echo_to_stderr) {
  auto& s = sinks();
  std::lock_guard lock(s.mutex);
  auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file.string(), false);
  s.file = std::make_shared<spdlog::logger>("ballast-file", sink);
  s.file->set_pattern("%v");
  s.file->flush_on(spdlog::level::trace);
  s.level = level;
  s.echo = echo_to_stderr;
}

void reset() {
  auto& s = sinks();
  std::lock_guard lock(s.mutex);
  s.file.reset();
  s.level = Level::kWarn;
  s.echo = true;
}

namespace {
// This thread's context fields, outermost first.
thread_local std::vector<std::pair<std::string, std::string>> t_context;
}  // namespace

Context::Context(std::initializer_list<Field> fields) : depth_(t_context.size()) {
  for (const auto& [key, value] : fields) t_context.emplace_back(key, value);
}

Context::~Context() { t_context.resize(depth_); }

void write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  auto& s = sinks();
  std::lock_guard lock(s.mutex);
  if (level < s.level) return;
  if (s.file) {
    nlohmann::json line = {{"ts", format_rfc3339_ms(std::chrono::system_clock::now())},
                           {"level", level_name(level)},
                           {"msg", message}};
    // Empty values are left out; a line's own field wins over the context's.
    for (const auto& [key, value] : t_context) {
      if (!value.empty()) line[key] = value;
    }
    for (const auto& [key, value] : fields) {
      if (!value.empty()) line[std::string(key)] = value;
    }
    s.file->info(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  if (s.echo) {
    if (!s.console) s.console = make_console();
    std::string text(message);
    auto own = [&fields](std::string_view key) {
      return std::any_of(fields.begin(), fields.end(),
                         [&](const Field& f) { return f.first == key; });
    };
    for (const auto& [key, value] : t_context) {
      if (!value.empty() && !own(key)) text += fmt::format(" {}={}", key, value);
    }
    for (const auto& [key, value] : fields) {
      if (!value.empty()) text += fmt::format(" {}={}", key, value);
    }
    const auto spd = level == Level::kError  ? spdlog::level::err
                     : level == Level::kWarn ? spdlog::level::warn
                                             : spdlog::level::info;
    s.console->log(spd, text);
  }
}

}  // namespace ballast::core::log
