// The daemon's commands: up, down, status.
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <unistd.h>

#include "cli/context.h"
#include "cli/daemon.h"
#include "core/file.h"
#include "core/text.h"

namespace ballast::cli {
namespace {

struct UpOptions {
  bool detach = false;
};

std::string api_url(const spec::Spec& spec) {
  return "http://" + spec::format_host_port(spec.platform.api);
}

core::Result<int> up(Context& ctx, const UpOptions& options) {
  BALLAST_ASSIGN_OR_RETURN(auto spec, ctx.load_spec());
  const std::string url = api_url(spec);
  const auto state = spec.state_dir();
  DaemonOptions daemon{BALLAST_VERSION_TEXT, true, nullptr};
  if (options.detach) {
    BALLAST_ASSIGN_OR_RETURN(const int port, start_detached(std::move(spec), daemon));
    (void)port;
    return ctx.emit({{"started", true},
                     {"api", url},
                     {"state_dir", state.string()},
                     {"token_file", (state / "api.token").string()}},
                    fmt::format("Ballast is running in the background.\n  API:   {}\n  token: {}\n"
                                "  logs:  {}\nStop it with 'ballast down'.",
                                url, (state / "api.token").string(),
                                (state / "logs" / "ballast.log").string()));
  }
  std::optional<core::Error> failed;
  daemon.on_ready = [&ctx, &failed, url, state](const core::Status& status, int /*port*/) {
    if (!status.has_value()) {
      failed = status.error();
      return;
    }
    if (ctx.mode() == OutputMode::kJson) return;
    std::cerr << fmt::format("Ballast is running. API {} (token in {}). Ctrl-C stops it.\n", url,
                             (state / "api.token").string());
  };
  const int code = run_daemon(std::move(spec), daemon);
  if (failed) return *failed;
  return code;
}

core::Result<int> down(Context& ctx) {
  BALLAST_ASSIGN_OR_RETURN(auto spec, ctx.load_spec());
  const app::StatePaths paths{spec.state_dir()};
  if (!core::is_locked(paths.lock())) {
    return ctx.emit({{"stopped", true}, {"was_running", false}},
                    "Ballast is not running on " + paths.root.string() + ".");
  }
  // The API's shutdown is privileged (TOTP); without a code, the local user signals the pid.
  const char* code = std::getenv("BALLAST_TOTP");
  const bool has_code = !ctx.totp.empty() || (code != nullptr && *code != '\0');
  auto client = ctx.client(spec);
  bool asked = false;
  if (has_code && client.has_value()) {
    auto answer = client->post("/api/v1/shutdown");
    // A refused code is the answer; only an unreachable API falls back to the signal.
    if (!answer.has_value() && answer.error().code() != core::ErrorCode::kUnavailable) {
      return std::move(answer).error();
    }
    asked = answer.has_value();
  }
  if (!asked) {
    // No code, or the API is unreachable: fall back to the pid file.
    auto pid_text = core::read_file(paths.pid(), 64);
    if (!pid_text.has_value()) return std::move(pid_text).error();
    const pid_t pid = static_cast<pid_t>(std::atol(std::string(core::trim(*pid_text)).c_str()));
    if (pid <= 0 || ::kill(pid, SIGTERM) != 0) {
      return core::make_error(core::ErrorCode::kUnavailable, "cannot signal the daemon (pid {})",
                              pid);
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (core::is_locked(paths.lock())) {
    if (std::chrono::steady_clock::now() > deadline) {
      return core::make_error(core::ErrorCode::kTimeout, "the daemon did not stop within 120 s")
          .with_hint("Look at " + paths.log_file().string() +
                     "; 'kill' the pid in daemon.pid if it hangs.");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return ctx.emit({{"stopped", true}, {"was_running", true}}, "Ballast stopped.");
}

std::string status_text(const nlohmann::json& s) {
  std::string out =
      fmt::format("Platform {}: daemon {} (version {})\n  state: {}\n", s.value("platform", ""),
                  s.value("daemon", ""), s.value("version", ""), s.value("state_dir", ""));
  out += fmt::format("  tenants: {} recorded, {} in the spec; {} pending action(s)\n",
                     s["tenants"].size(), s.value("tenants_desired", 0),
                     s.value("pending_actions", 0));
  for (const auto& t : s["tenants"]) {
    std::vector<std::string> domains = t["domains"].get<std::vector<std::string>>();
    out += fmt::format("    {:<26} {:<12} {:<12} {:<10} {}\n", t.value("name", ""),
                       t.value("state", ""), t.value("plan", ""), t.value("readiness", "-"),
                       core::join(domains, ", "));
  }
  if (!s["components"].empty()) out += "  components:\n";
  for (const auto& c : s["components"]) {
    out += fmt::format(
        "    {:<34} {:<9} port {:<6} restarts {}\n", c.value("name", ""), c.value("state", ""),
        c["port"].is_null() ? std::string("-") : c["port"].dump(), c.value("restarts", 0));
  }
  return out;
}

core::Result<int> status(Context& ctx) {
  BALLAST_ASSIGN_OR_RETURN(auto spec, ctx.load_spec());
  const app::StatePaths paths{spec.state_dir()};
  if (!core::is_locked(paths.lock())) {
    return core::make_error(core::ErrorCode::kUnavailable,
                            "the Ballast daemon is not running on state directory '{}'",
                            paths.root.string())
        .with_hint("Start it with 'ballast up --detach'.");
  }
  BALLAST_ASSIGN_OR_RETURN(auto client, ctx.client(spec));
  BALLAST_ASSIGN_OR_RETURN(auto s, client.get("/api/v1/status"));
  return ctx.emit(s, status_text(s));
}

}  // namespace

void add_daemon_commands(CLI::App& app, Context& ctx) {
  auto options = std::make_shared<UpOptions>();
  auto* up_cmd =
      add_command(app, "up", "Start the platform: the daemon, its API and (later) every component",
                  "  ballast up                 # foreground; Ctrl-C stops it\n"
                  "  ballast up --detach        # background; 'ballast down' stops it\n"
                  "  ballast up -f examples/consulting-firm.yaml --detach\n");
  up_cmd->add_flag("--detach,-d", options->detach, "Run in the background and return once serving");
  up_cmd->callback([&ctx, options] {
    ctx.run = [&ctx, options] { return ctx.guard([&] { return up(ctx, *options); }); };
  });
  add_command(app, "down", "Stop the daemon and everything it runs, cleanly", "  ballast down\n")
      ->callback([&ctx] { ctx.run = [&ctx] { return ctx.guard([&] { return down(ctx); }); }; });
  add_command(app, "status", "Show the daemon, components, tenants and pending changes",
              "  ballast status\n  ballast status --output json\n")
      ->callback([&ctx] { ctx.run = [&ctx] { return ctx.guard([&] { return status(ctx); }); }; });
}

}  // namespace ballast::cli
