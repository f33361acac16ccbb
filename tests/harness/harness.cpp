#include "harness/harness.h"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <unistd.h>

#include "catalog/component_store.h"
#include "core/crypto.h"

namespace ballast::testing {

TempDir::TempDir(const std::string& prefix)
    : path_(fs::temp_directory_path() / (prefix + "-" + core::hex_encode(core::random_bytes(5)))) {
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  kill_processes_under(path_);
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void kill_processes_under(const fs::path& dir) {
  const std::string prefix = dir.string();
  std::error_code ec;
  for (int round = 0; round < 3; ++round) {
    bool found = false;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
      const std::string pid_text = entry.path().filename().string();
      if (pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
      const pid_t pid = static_cast<pid_t>(std::stol(pid_text));
      if (pid == ::getpid()) continue;
      std::string cmdline = read_text(entry.path() / "cmdline");
      std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
      std::error_code link_ec;
      const auto cwd = fs::read_symlink(entry.path() / "cwd", link_ec).string();
      if (cmdline.find(prefix) != std::string::npos || cwd.rfind(prefix, 0) == 0) {
        ::kill(pid, SIGKILL);
        found = true;
      }
    }
    if (!found) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::uint16_t free_port() { return catalog::free_loopback_port().value_or(0); }

bool poll_until(const std::function<bool()>& ready, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(interval);
  }
  return ready();
}

fs::path source_dir() {
  const char* dir = std::getenv("BALLAST_SOURCE_DIR");
  return dir != nullptr ? fs::path(dir) : fs::current_path();
}

fs::path shared_dir() { return (source_dir() / ".." / "shared").lexically_normal(); }

fs::path odoo_source() {
  const char* env = std::getenv("BALLAST_ODOO_SRC");
  if (env != nullptr && *env != '\0') return fs::absolute(env).lexically_normal();
  return source_dir() / "tests" / "odoo_standin";
}

bool is_real_odoo() { return odoo_source() != source_dir() / "tests" / "odoo_standin"; }

fs::path ballast_binary() {
  const char* bin = std::getenv("BALLAST_BINARY");
  return bin != nullptr ? fs::path(bin) : fs::path("ballast");
}

Answer split_progress(const std::string& out) {
  Answer answer;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("{\"progress\"", 0) == 0) {
      answer.progress.push_back(line);
    } else {
      answer.text += line + "\n";
    }
  }
  return answer;
}

CommandResult run_ballast(const std::vector<std::string>& args, const fs::path& cwd,
                          const std::map<std::string, std::string>& env,
                          std::chrono::seconds timeout) {
  core::Command command;
  command.argv.push_back(ballast_binary().string());
  command.argv.insert(command.argv.end(), args.begin(), args.end());
  command.cwd = cwd;
  command.env = env;
  command.unset_env = {"BALLAST_SPEC"};
  command.umask = 022;
  if (timeout.count() == 0) timeout = std::chrono::seconds(is_real_odoo() ? 900 : 120);
  auto done = core::run(command, timeout);
  if (!done.has_value()) return CommandResult{-1, "", done.error().to_string()};
  return CommandResult{done->status.signal != 0 ? 128 + done->status.signal : done->status.code,
                       done->out, done->err};
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace ballast::testing
