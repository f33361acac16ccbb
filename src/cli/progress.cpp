#include "cli/progress.h"

#include <cstdio>

#include <fmt/format.h>
#include <unistd.h>

namespace ballast::cli {

std::string human_bytes(std::uint64_t bytes) {
  const auto b = static_cast<double>(bytes);
  if (bytes >= (1ULL << 30)) return fmt::format("{:.1f} GiB", b / (1ULL << 30));
  if (bytes >= (1ULL << 20)) return fmt::format("{:.1f} MiB", b / (1ULL << 20));
  if (bytes >= 1024) return fmt::format("{:.1f} KiB", b / 1024.0);
  return fmt::format("{} B", bytes);
}

std::string progress_line(const nlohmann::json& p, std::chrono::duration<double> elapsed) {
  const std::string phase = p.value("phase", "");
  const auto bytes = p.value("bytes", std::uint64_t{0});
  const auto total = p.value("total", std::uint64_t{0});
  const bool estimated = p.value("estimated", false);
  std::string line = fmt::format("{:<18} {}", phase, human_bytes(bytes));
  if (total > 0) {
    const double fraction = std::min(1.0, static_cast<double>(bytes) / static_cast<double>(total));
    line +=
        fmt::format(" / {}{} {:3.0f}%", estimated ? "~" : "", human_bytes(total), fraction * 100.0);
  }
  const double seconds = elapsed.count();
  if (seconds > 0.2 && bytes > 0) {
    const double rate = static_cast<double>(bytes) / seconds;
    line += fmt::format("  {}/s", human_bytes(static_cast<std::uint64_t>(rate)));
    if (total > bytes) {
      line += fmt::format("  ETA {:.0f} s", static_cast<double>(total - bytes) / rate);
    }
  }
  return line;
}

ProgressPrinter::ProgressPrinter(const Context& ctx)
    : json_(ctx.mode() == OutputMode::kJson),
      terminal_(::isatty(STDERR_FILENO) == 1 && !ctx.quiet) {}

ProgressPrinter::~ProgressPrinter() { end_line(); }

void ProgressPrinter::end_line() {
  if (line_open_) std::fputs("\n", stderr);
  line_open_ = false;
}

void ProgressPrinter::operator()(const nlohmann::json& progress) {
  if (json_) {  // JSON lines before the final answer
    std::fputs((nlohmann::json{{"progress", progress}}.dump() + "\n").c_str(), stdout);
    std::fflush(stdout);
    return;
  }
  if (!terminal_) return;
  const auto now = std::chrono::steady_clock::now();
  const std::string phase = progress.value("phase", "");
  if (phase != phase_) {
    end_line();
    phase_ = phase;
    phase_started_ = now;
  }
  std::fprintf(stderr, "\r\033[K%s", progress_line(progress, now - phase_started_).c_str());
  std::fflush(stderr);
  line_open_ = true;
}

}  // namespace ballast::cli
