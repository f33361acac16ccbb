#include "core/subprocess.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/text.h"

extern char** environ;

namespace ballast::core {
namespace {

// Everything the child needs, prepared before fork: the child may only make system calls.
struct ChildPlan {
  pid_t parent = 0;  // for die_with_parent: the child checks it was not orphaned already
  std::vector<std::string> argv_storage;
  std::vector<std::string> env_storage;
  std::vector<char*> argv;
  std::vector<char*> envp;
  std::string program;
};

ChildPlan plan_child(const Command& command) {
  ChildPlan plan;
  plan.argv_storage = command.argv;
  if (!command.clear_env) {
    for (char** e = environ; *e != nullptr; ++e) {
      std::string_view entry(*e);
      const std::string name(entry.substr(0, entry.find('=')));
      if (command.env.count(name) != 0) continue;
      if (std::find(command.unset_env.begin(), command.unset_env.end(), name) !=
          command.unset_env.end()) {
        continue;
      }
      plan.env_storage.emplace_back(entry);
    }
  }
  for (const auto& [name, value] : command.env) plan.env_storage.push_back(name + "=" + value);
  for (auto& a : plan.argv_storage) plan.argv.push_back(a.data());
  plan.argv.push_back(nullptr);
  for (auto& e : plan.env_storage) plan.envp.push_back(e.data());
  plan.envp.push_back(nullptr);
  plan.program = command.argv.front();
  if (plan.program.find('/') == std::string::npos) {
    const auto found = find_program(plan.program);
    if (!found.empty()) plan.program = found.string();
  }
  return plan;
}

[[noreturn]] void child_fail(int report_fd, int error_number) {
  (void)!::write(report_fd, &error_number, sizeof error_number);
  ::_exit(127);
}

int open_or_null(const Command& command, Stdio mode, int flags) {
  if (mode == Stdio::kNull) return ::open("/dev/null", flags | O_CLOEXEC);
  if (mode == Stdio::kFile) {
    return ::open(command.output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  }
  return -1;
}

// Runs in the forked child. Only async-signal-safe calls.
[[noreturn]] void exec_child(const Command& command, const ChildPlan& plan,
                             const int (&pipes)[3][2], int report_fd) {
  if (command.new_session) ::setsid();
  ::umask(command.umask);
  const Stdio modes[3] = {command.stdin_mode, command.stdout_mode, command.stderr_mode};
  for (int fd = 0; fd < 3; ++fd) {
    int source = -1;
    if (modes[fd] == Stdio::kPipe) {
      source = fd == 0 ? pipes[0][0] : pipes[fd][1];
    } else if (modes[fd] != Stdio::kInherit) {
      source = open_or_null(command, modes[fd], fd == 0 ? O_RDONLY : O_WRONLY);
      if (source < 0) child_fail(report_fd, errno);
    }
    if (source >= 0 && ::dup2(source, fd) < 0) child_fail(report_fd, errno);
  }
  if (!command.cwd.empty() && ::chdir(command.cwd.c_str()) != 0) child_fail(report_fd, errno);
  if (command.gid && (::setgroups(0, nullptr) != 0 || ::setgid(*command.gid) != 0)) {
    child_fail(report_fd, errno);
  }
  if (command.uid && ::setuid(*command.uid) != 0) child_fail(report_fd, errno);
  // After setuid, which clears the parent-death signal.
  if (command.die_with_parent) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != plan.parent) ::_exit(127);
  }
  // Close everything else but the report pipe (close-on-exec) so children inherit nothing.
  if (report_fd > 3) ::syscall(SYS_close_range, 3U, static_cast<unsigned>(report_fd - 1), 0U);
  ::syscall(SYS_close_range, static_cast<unsigned>(report_fd + 1), ~0U, 0U);
  ::sigset_t all;
  ::sigemptyset(&all);
  ::sigprocmask(SIG_SETMASK, &all, nullptr);
  ::signal(SIGPIPE, SIG_DFL);
  ::execve(plan.program.c_str(), plan.argv.data(), plan.envp.data());
  child_fail(report_fd, errno);
}

ExitStatus decode(int raw) {
  ExitStatus status;
  if (WIFEXITED(raw)) status.code = WEXITSTATUS(raw);
  if (WIFSIGNALED(raw)) status.signal = WTERMSIG(raw);
  return status;
}

Error spawn_error(int error_number) {
  return make_error(ErrorCode::kIo, "cannot start a process: {}", std::strerror(error_number));
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

std::string Command::display() const { return join(argv, " "); }

std::string ExitStatus::describe() const {
  if (signal != 0) return fmt::format("was killed by signal {} ({})", signal, ::strsignal(signal));
  return fmt::format("exited with code {}", code);
}

Result<Process> Process::start(const Command& command) {
  if (command.argv.empty()) return make_error(ErrorCode::kInternal, "empty command");
  ChildPlan plan = plan_child(command);
  plan.parent = ::getpid();
  int pipes[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
  const Stdio modes[3] = {command.stdin_mode, command.stdout_mode, command.stderr_mode};
  for (int i = 0; i < 3; ++i) {
    if (modes[i] == Stdio::kPipe && ::pipe2(pipes[i], O_CLOEXEC) != 0) {
      return spawn_error(errno);
    }
  }
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return spawn_error(errno);

  const pid_t pid = ::fork();
  if (pid < 0) return spawn_error(errno);
  if (pid == 0) exec_child(command, plan, pipes, report[1]);

  ::close(report[1]);
  Process process;
  process.pid_ = pid;
  process.leads_group_ = command.new_session;
  process.stdin_fd_ = pipes[0][1];
  process.stdout_fd_ = pipes[1][0];
  process.stderr_fd_ = pipes[2][0];
  for (int fd : {pipes[0][0], pipes[1][1], pipes[2][1]}) {
    if (fd >= 0) ::close(fd);
  }
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(report[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  process.pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    process.wait();
    const ErrorCode code = child_errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo;
    return make_error(code, "cannot start '{}': {}", command.argv.front(),
                      std::strerror(child_errno))
        .with_hint(child_errno == ENOENT
                       ? "Install it (scripts/install-deps) or check its path in the spec."
                       : "Check the permissions of the program and its working directory.");
  }
  return process;
}

Process::Process(Process&& other) noexcept { *this = std::move(other); }

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    close_fds();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::exchange(other.pidfd_, -1);
    stdin_fd_ = std::exchange(other.stdin_fd_, -1);
    stdout_fd_ = std::exchange(other.stdout_fd_, -1);
    stderr_fd_ = std::exchange(other.stderr_fd_, -1);
    leads_group_ = other.leads_group_;
    status_ = other.status_;
  }
  return *this;
}

Process::~Process() { close_fds(); }

void Process::close_fds() {
  close_fd(pidfd_);
  close_fd(stdin_fd_);
  close_fd(stdout_fd_);
  close_fd(stderr_fd_);
}

void Process::close_stdin() { close_fd(stdin_fd_); }

std::optional<ExitStatus> Process::try_wait() {
  if (status_ || pid_ < 0) return status_;
  int raw = 0;
  const pid_t r = ::waitpid(pid_, &raw, WNOHANG);
  if (r == pid_) status_ = decode(raw);
  if (r < 0 && errno == ECHILD) status_ = ExitStatus{};
  return status_;
}

std::optional<ExitStatus> Process::wait_for(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto status = try_wait()) return status;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    if (pidfd_ >= 0) {
      pollfd p{pidfd_, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(std::min<long>(left.count(), 1000)));
    } else {
      std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(10)));
    }
  }
}

ExitStatus Process::wait() {
  while (!status_ && pid_ >= 0) {
    int raw = 0;
    const pid_t r = ::waitpid(pid_, &raw, 0);
    if (r == pid_) status_ = decode(raw);
    if (r < 0 && errno != EINTR) status_ = ExitStatus{};
  }
  return status_.value_or(ExitStatus{});
}

void Process::signal(int signal_number) const {
  if (pid_ <= 0 || status_) return;
  if (leads_group_) {
    ::kill(-pid_, signal_number);
  } else {
    ::kill(pid_, signal_number);
  }
}

ExitStatus Process::terminate(std::chrono::milliseconds grace) {
  signal(SIGTERM);
  if (auto status = wait_for(grace)) return *status;
  signal(SIGKILL);
  return wait();
}

bool Process::is_running() { return pid_ > 0 && !try_wait().has_value(); }

bool process_exists(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

std::filesystem::path find_program(const std::string& program) {
  const char* path = std::getenv("PATH");
  for (const auto& dir : split(path != nullptr ? path : "/usr/bin:/bin", ':')) {
    if (dir.empty()) continue;
    std::filesystem::path candidate = std::filesystem::path(dir) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

}  // namespace ballast::core
