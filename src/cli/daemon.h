// The daemon behind `ballast up`: holds the state directory's lock, serves the API, and runs
// the control loop until SIGTERM/SIGINT or POST /api/v1/shutdown.
#pragma once

#include <functional>
#include <string>

#include "core/result.h"
#include "spec/model.h"

namespace ballast::cli {

struct DaemonOptions {
  std::string version;
  bool echo_logs = true;  // foreground: log lines on stderr too
  // Called once serving (or with the error that stopped start-up).
  std::function<void(const core::Status&, int api_port)> on_ready;
};

// Runs in the calling process until stopped; the exit code. Signals SIGINT/SIGTERM must be
// blocked in the caller before any thread starts (run_daemon does it when it can).
int run_daemon(spec::Spec spec, const DaemonOptions& options);

// Forks a detached daemon (new session, output to the state's logs); waits until it serves.
core::Result<int> start_detached(spec::Spec spec, const DaemonOptions& options);

}  // namespace ballast::cli
