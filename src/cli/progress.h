// Progress of long work streamed by the daemon: a one-line bar on a terminal (bytes, rate,
// ETA), JSON lines on stdout with --output json, nothing otherwise.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/context.h"

namespace ballast::cli {

class ProgressPrinter final {
 public:
  explicit ProgressPrinter(const Context& ctx);
  ~ProgressPrinter();
  ProgressPrinter(const ProgressPrinter&) = delete;
  ProgressPrinter& operator=(const ProgressPrinter&) = delete;
  void operator()(const nlohmann::json& progress);
  // Ends the bar's line (before the result is printed).
  void end_line();

 private:
  bool json_ = false;
  bool terminal_ = false;
  std::string phase_;
  std::chrono::steady_clock::time_point phase_started_{};
  bool line_open_ = false;
};

// "12.3 MiB"
std::string human_bytes(std::uint64_t bytes);
// The bar's text for one progress report, `elapsed` into its phase.
std::string progress_line(const nlohmann::json& progress, std::chrono::duration<double> elapsed);

}  // namespace ballast::cli
