// Subprocess: spawn programs with argv, environment, working directory, identity and pipes;
// wait with deadlines; signal and reap. The one place Ballast forks.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

#include "core/result.h"

namespace ballast::core {

enum class Stdio { kInherit, kNull, kPipe, kFile };

struct Command {
  std::vector<std::string> argv;           // argv[0] is looked up on PATH when not a path
  std::map<std::string, std::string> env;  // set on top of the inherited environment
  std::vector<std::string> unset_env;      // removed from the inherited environment
  bool clear_env = false;                  // start from an empty environment instead
  std::filesystem::path cwd;               // empty: the caller's
  std::optional<uid_t> uid;                // run as this user (needs root)
  std::optional<gid_t> gid;
  Stdio stdin_mode = Stdio::kNull;
  Stdio stdout_mode = Stdio::kPipe;
  Stdio stderr_mode = Stdio::kPipe;
  std::filesystem::path output_file;  // kFile: stdout and/or stderr appended here
  bool new_session = true;            // setsid(): immune to the terminal's Ctrl-C
  // SIGKILL when the thread that started it dies: work done for a caller (a restore into a
  // sandbox, a dump) must not go on alone after a crash. Components leave it false: they
  // outlive the daemon and are adopted. run() sets it.
  bool die_with_parent = false;
  mode_t umask = 077;

  // "prog arg1 arg2" for messages. Secrets must never be passed in argv: use env or stdin.
  [[nodiscard]] std::string display() const;
};

struct ExitStatus {
  int code = -1;   // exit code when exited normally, else -1
  int signal = 0;  // terminating signal, else 0
  [[nodiscard]] bool is_success() const { return code == 0; }
  [[nodiscard]] std::string describe() const;  // "exited with code 3" / "killed by SIGKILL"
};

// A started child process. Move-only. The destructor does not kill: call terminate() or
// wait(); a Process dropped while running is left to run (components outlive the daemon).
class Process final {
 public:
  static Result<Process> start(const Command& command);

  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();

  [[nodiscard]] pid_t pid() const { return pid_; }
  // Pipe ends (-1 unless the mode was kPipe). Owned by the Process.
  [[nodiscard]] int stdin_fd() const { return stdin_fd_; }
  [[nodiscard]] int stdout_fd() const { return stdout_fd_; }
  [[nodiscard]] int stderr_fd() const { return stderr_fd_; }
  void close_stdin();

  // Non-blocking: the exit status once the child has ended.
  std::optional<ExitStatus> try_wait();
  // Waits up to `timeout`; nullopt when still running.
  std::optional<ExitStatus> wait_for(std::chrono::milliseconds timeout);
  ExitStatus wait();
  // Sends a signal to the child (its process group when it leads one).
  void signal(int signal_number) const;
  // SIGTERM, then SIGKILL after `grace`; returns the exit status.
  ExitStatus terminate(std::chrono::milliseconds grace = std::chrono::seconds(5));
  [[nodiscard]] bool is_running();

 private:
  Process() = default;
  void close_fds();
  pid_t pid_ = -1;
  int pidfd_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  bool leads_group_ = false;
  std::optional<ExitStatus> status_;
};

struct Completed {
  ExitStatus status;
  std::string out;
  std::string err;
};

// Processes (other than this one) whose command line contains `text`, from /proc.
std::vector<pid_t> processes_naming(std::string_view text);

// Runs a command to completion, feeding `input` on stdin and capturing stdout and stderr.
// The child dies with the caller (die_with_parent), so a crash leaves no orphan at work.
// kTimeout (and the child killed) past `timeout`; kNotFound when the program does not exist.
Result<Completed> run(Command command, std::chrono::milliseconds timeout,
                      std::string_view input = {});

// Like run() but a non-zero exit is an error (kComponentFailed) quoting the stderr tail.
Result<Completed> run_checked(Command command, std::chrono::milliseconds timeout,
                              std::string_view input = {});

// True when a process with this pid exists (signal 0).
bool process_exists(pid_t pid);

// Looks `program` up on PATH; empty when absent.
std::filesystem::path find_program(const std::string& program);

}  // namespace ballast::core
