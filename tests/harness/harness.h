// Test harness: temporary directories, free ports, polling with deadlines, and running the
// built `ballast` binary as a user would. Everything it creates is removed, even on failure.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/subprocess.h"

namespace ballast::testing {

namespace fs = std::filesystem;

// Kills (SIGKILL) every process whose command line or working directory lies under `dir`:
// the components a test's daemon started, even when the test failed half-way.
void kill_processes_under(const fs::path& dir);

// A fresh directory under the system temp dir. On destruction, processes still running from
// it are killed and it is removed (recursively).
class TempDir final {
 public:
  explicit TempDir(const std::string& prefix = "ballast-test");
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  [[nodiscard]] const fs::path& path() const { return path_; }
  [[nodiscard]] fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

// A loopback TCP port that was free a moment ago.
std::uint16_t free_port();

// Polls `ready` until it returns true or `timeout` passes; true when it became ready.
bool poll_until(const std::function<bool()>& ready,
                std::chrono::milliseconds timeout = std::chrono::seconds(30),
                std::chrono::milliseconds interval = std::chrono::milliseconds(50));

// The repository's root (from BALLAST_SOURCE_DIR, set by ctest).
fs::path source_dir();
// ../shared beside the repository.
fs::path shared_dir();
// The Odoo tree tests run tenants on: $BALLAST_ODOO_SRC when set (a real Odoo 18 source tree),
// otherwise the stand-in under tests/odoo_standin.
fs::path odoo_source();
// True when tenants run on a real Odoo rather than the stand-in.
bool is_real_odoo();
// The built binary (from BALLAST_BINARY, set by ctest).
fs::path ballast_binary();

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `ballast args…` in `cwd` with `env` added; never throws; a timeout counts as failure.
// The default timeout is 120 s, 15 minutes with real Odoo (a pool's first tenant waits for its
// template, built by `odoo-bin -i`).
CommandResult run_ballast(const std::vector<std::string>& args, const fs::path& cwd,
                          const std::map<std::string, std::string>& env = {},
                          std::chrono::seconds timeout = std::chrono::seconds(0));

// Long commands stream {"progress": …} lines before their answer; this splits the two.
struct Answer {
  std::string text;                   // everything but the progress lines
  std::vector<std::string> progress;  // the progress lines, in order
};
Answer split_progress(const std::string& out);

// Writes `text` to `path`.
void write_text(const fs::path& path, const std::string& text);
std::string read_text(const fs::path& path);

}  // namespace ballast::testing
