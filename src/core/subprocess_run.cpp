// run() and run_checked(): a child to completion with its output captured, under a deadline.
#include <cerrno>
#include <csignal>
#include <filesystem>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "core/file.h"
#include "core/subprocess.h"

namespace ballast::core {
namespace {

constexpr std::size_t kTailBytes = 1500;

std::string tail(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  if (text.size() <= kTailBytes) return std::string(text);
  return "…" + std::string(text.substr(text.size() - kTailBytes));
}

// Pumps input into the child and its output out until both pipes close or time runs out.
bool pump(Process& process, std::string_view input, Completed& done,
          std::chrono::steady_clock::time_point deadline) {
  if (process.stdin_fd() >= 0) ::fcntl(process.stdin_fd(), F_SETFL, O_NONBLOCK);
  if (input.empty()) process.close_stdin();
  std::array<char, 65536> buffer{};
  bool out_open = process.stdout_fd() >= 0;
  bool err_open = process.stderr_fd() >= 0;
  while (out_open || err_open || process.stdin_fd() >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    std::array<pollfd, 3> fds{};
    nfds_t n = 0;
    if (out_open) fds[n++] = {process.stdout_fd(), POLLIN, 0};
    if (err_open) fds[n++] = {process.stderr_fd(), POLLIN, 0};
    if (process.stdin_fd() >= 0) fds[n++] = {process.stdin_fd(), POLLOUT, 0};
    if (::poll(fds.data(), n, static_cast<int>(std::min<long>(left.count(), 1000))) < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == process.stdin_fd()) {
        const ssize_t w = ::write(fds[i].fd, input.data(), input.size());
        if (w > 0) input.remove_prefix(static_cast<std::size_t>(w));
        if (w < 0 && errno != EAGAIN && errno != EINTR) input = {};
        if (input.empty()) process.close_stdin();
        continue;
      }
      const ssize_t r = ::read(fds[i].fd, buffer.data(), buffer.size());
      if (r > 0) {
        auto& sink = fds[i].fd == process.stdout_fd() ? done.out : done.err;
        sink.append(buffer.data(), static_cast<std::size_t>(r));
      } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
        (fds[i].fd == process.stdout_fd() ? out_open : err_open) = false;
      }
    }
  }
  return true;
}

}  // namespace

Result<Completed> run(Command command, std::chrono::milliseconds timeout, std::string_view input) {
  command.die_with_parent = true;
  command.stdin_mode = input.empty() ? Stdio::kNull : Stdio::kPipe;
  if (command.stdout_mode == Stdio::kInherit) command.stdout_mode = Stdio::kPipe;
  if (command.stderr_mode == Stdio::kInherit) command.stderr_mode = Stdio::kPipe;
  BALLAST_ASSIGN_OR_RETURN(Process process, Process::start(command));
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Completed done;
  if (!pump(process, input, done, deadline)) {
    process.signal(SIGKILL);
    process.wait();
    return make_error(ErrorCode::kTimeout, "'{}' did not finish within {} ms", command.argv.front(),
                      timeout.count());
  }
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  auto status = process.wait_for(std::max(left, std::chrono::milliseconds(1)));
  if (!status) {
    process.signal(SIGKILL);
    process.wait();
    return make_error(ErrorCode::kTimeout, "'{}' did not finish within {} ms", command.argv.front(),
                      timeout.count());
  }
  done.status = *status;
  return done;
}

Result<Completed> run_checked(Command command, std::chrono::milliseconds timeout,
                              std::string_view input) {
  const std::string program = command.argv.empty() ? "" : command.argv.front();
  BALLAST_ASSIGN_OR_RETURN(Completed done, run(std::move(command), timeout, input));
  if (!done.status.is_success()) {
    const std::string detail = tail(done.err.empty() ? done.out : done.err);
    return make_error(ErrorCode::kComponentFailed, "'{}' {}{}{}", program, done.status.describe(),
                      detail.empty() ? "" : ": ", detail);
  }
  return done;
}

std::vector<pid_t> processes_naming(std::string_view text) {
  std::vector<pid_t> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const auto name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto pid = static_cast<pid_t>(std::stol(name));
    if (pid == ::getpid()) continue;
    auto cmdline = read_file(entry.path() / "cmdline");
    if (cmdline.has_value() && cmdline->find(text) != std::string::npos) found.push_back(pid);
  }
  return found;
}

}  // namespace ballast::core
