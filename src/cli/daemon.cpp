#include "cli/daemon.h"

#include <atomic>
#include <csignal>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api/access_gate.h"
#include "api/routes.h"
#include "api/server.h"
#include "app/platform.h"
#include "core/file.h"
#include "core/identity.h"
#include "core/log.h"
#include "core/text.h"
#include "security/local_ca.h"

namespace ballast::cli {
namespace {

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);
  return set;
}

// Everything the running daemon holds; released in reverse order.
struct Running {
  std::unique_ptr<app::Platform> platform;
  std::unique_ptr<security::AccessControl> access;
  std::unique_ptr<api::Server> server;
};

// Tokens and second factors; the state directory's api.token is the first platform-admin token.
core::Status start_access(Running& running, const app::StatePaths& paths) {
  auto& platform = *running.platform;
  running.access = std::make_unique<security::AccessControl>(
      platform.catalog(), platform.clock(),
      security::AccessOptions{"Ballast " + platform.spec().platform.name, {}, {}});
  BALLAST_ASSIGN_OR_RETURN(auto bootstrap,
                           running.access->tokens().ensure_bootstrap(paths.token()));
  if (bootstrap) {
    BALLAST_TRY(platform.audit(app::Actor{"daemon"}, "token.create", "token/" + bootstrap->id,
                               core::ok(), {{"name", bootstrap->name}, {"role", bootstrap->role}}));
  }
  return core::ok();
}

// The API's certificate, for the address it listens on, from the local CA (<state>/ca); the
// CLI trusts that CA's ca.crt. Reissued at every start, so it follows address changes.
core::Status use_api_tls(api::Server& server, app::Platform& platform) {
  const auto dir = platform.state_dir() / "ca";
  BALLAST_ASSIGN_OR_RETURN(
      auto ca, security::LocalCa::open_or_create(dir, platform.spec().platform.name + " local CA",
                                                 platform.clock()));
  BALLAST_ASSIGN_OR_RETURN(auto issued, ca.issue({platform.spec().platform.api.host}, dir / "api",
                                                 std::chrono::hours(24 * 397)));
  return server.use_tls(issued.chain, issued.key);
}

core::Result<Running> start(spec::Spec spec, const DaemonOptions& options, core::Clock& clock) {
  const app::StatePaths paths{spec.state_dir()};
  Running running;
  BALLAST_ASSIGN_OR_RETURN(running.platform,
                           app::Platform::open(std::move(spec), catalog::OpenMode::kCreate, clock));
  BALLAST_TRY(core::ensure_dir(paths.logs(), 0700));
  core::log::init(paths.log_file(), core::log::Level::kInfo, options.echo_logs);
  BALLAST_TRY(start_access(running, paths));
  const pid_t self = ::getpid();
  api::RouteContext context{*running.platform, [self] { ::kill(self, SIGUSR1); }, options.version,
                            running.access.get()};
  running.server = std::make_unique<api::Server>(
      api::build_routes(context), api::access_gate(*running.platform, *running.access));
  if (running.platform->spec().platform.api_tls) {
    BALLAST_TRY(use_api_tls(*running.server, *running.platform));
  }
  BALLAST_TRY(running.server->start(running.platform->spec().platform.api));
  BALLAST_TRY(core::write_file_atomic(paths.pid(), std::to_string(self) + "\n", 0644));
  BALLAST_TRY(running.platform->audit(app::Actor{"daemon"}, "daemon.start", "platform", core::ok(),
                                      {{"pid", self}, {"api_port", running.server->port()}}));
  BALLAST_ASSIGN_OR_RETURN(const auto identity, core::component_identity());
  auto report = running.platform->start_runtime(identity);
  if (!report.has_value()) {
    // Leave nothing half-started behind.
    running.server->stop();
    running.platform->stop_runtime();
    return std::move(report).error().with_context("starting the platform's components");
  }
  if (!report->is_ok()) {
    for (const auto& r : report->results) {
      if (r.outcome == "failed")
        core::log::error("apply failed", {{"action", r.action.description}, {"error", r.error}});
    }
  }
  core::log::info("daemon started",
                  {{"pid", std::to_string(self)},
                   {"api", spec::format_host_port(running.platform->spec().platform.api)}});
  return running;
}

}  // namespace

int run_daemon(spec::Spec spec, const DaemonOptions& options) {
  const sigset_t signals = stop_signals();
  ::pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  const app::StatePaths paths{spec.state_dir()};
  auto fail = [&](const core::Error& error) {
    if (options.on_ready) options.on_ready(error, 0);
    return error.exit_code();
  };
  if (auto made = core::ensure_dir(paths.root, 0700); !made.has_value()) return fail(made.error());
  auto lock = core::FileLock::acquire(paths.lock());
  if (!lock.has_value()) {
    if (lock.error().code() != core::ErrorCode::kLocked) return fail(lock.error());
    return fail(
        core::make_error(core::ErrorCode::kLocked,
                         "a Ballast daemon already runs on state directory '{}' ({})",
                         paths.root.string(), lock.error().message())
            .with_hint("Stop it with 'ballast down', or give this spec another state_dir."));
  }
  core::SystemClock clock;
  auto running = start(std::move(spec), options, clock);
  if (!running.has_value()) return fail(running.error());
  if (options.on_ready) options.on_ready(core::ok(), running->server->port());

  for (;;) {
    timespec tick{0, 500'000'000};
    const int sig = ::sigtimedwait(&signals, nullptr, &tick);
    if (sig == SIGINT || sig == SIGTERM || sig == SIGUSR1) {
      core::log::info("daemon stopping", {{"signal", std::to_string(sig)}});
      break;
    }
    running->platform->tick();
  }
  running->server->stop();
  running->platform->stop_runtime();
  (void)running->platform->audit(app::Actor{"daemon"}, "daemon.stop", "platform", core::ok());
  std::filesystem::remove(paths.pid());
  core::log::info("daemon stopped");
  core::log::reset();
  return core::kExitOk;
}

core::Result<int> start_detached(spec::Spec spec, const DaemonOptions& options) {
  const app::StatePaths paths{spec.state_dir()};
  BALLAST_TRY(core::ensure_dir(paths.root, 0700));
  BALLAST_TRY(core::ensure_dir(paths.logs(), 0700));
  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0)
    return core::errno_error(errno, "creating a pipe for", paths.root);
  const pid_t child = ::fork();
  if (child < 0) return core::errno_error(errno, "forking the daemon for", paths.root);
  if (child == 0) {
    ::close(ready[0]);
    ::setsid();
    if (::fork() != 0) ::_exit(0);  // the grandchild cannot reacquire a terminal
    const int null_fd = ::open("/dev/null", O_RDONLY);
    const auto out_path = paths.logs() / "daemon.out";
    const int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(null_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(out_fd, 2);
    DaemonOptions child_options = options;
    child_options.echo_logs = false;
    const int pipe_fd = ready[1];
    child_options.on_ready = [pipe_fd](const core::Status& status, int port) {
      nlohmann::json message = {{"ok", status.has_value()}, {"port", port}};
      if (!status.has_value()) {
        message["code"] = status.error().code_name();
        message["message"] = status.error().to_string();
        message["hint"] = status.error().hint();
      }
      const std::string line = message.dump() + "\n";
      (void)!::write(pipe_fd, line.data(), line.size());
      ::close(pipe_fd);
    };
    ::_exit(run_daemon(std::move(spec), child_options));
  }
  ::close(ready[1]);
  ::waitpid(child, nullptr, 0);
  std::string line;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(ready[0], buffer, sizeof buffer)) > 0)
    line.append(buffer, static_cast<std::size_t>(n));
  ::close(ready[0]);
  const auto message = nlohmann::json::parse(line, nullptr, false);
  if (!message.is_object()) {
    return core::make_error(core::ErrorCode::kComponentFailed,
                            "the daemon exited before it was ready")
        .with_hint("Read " + (paths.logs() / "daemon.out").string() + " for the reason.");
  }
  if (!message.value("ok", false)) {
    core::Error error(core::error_code_from_name(message.value("code", "internal")),
                      message.value("message", ""));
    return std::move(error).with_hint(message.value("hint", ""));
  }
  return message.value("port", 0);
}

}  // namespace ballast::cli
