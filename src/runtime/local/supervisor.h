// The supervisor: runs components as child processes with their own log files, waits for
// readiness, restarts a dead one with backoff, adopts what survived a daemon restart, records
// every state change in the catalog with an event. Thread-safe.
#pragma once

#include <chrono>
#include <csignal>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "core/subprocess.h"

namespace ballast::runtime::local {

struct ServiceSpec {
  std::string name;   // "pool/main/postgres"
  std::string kind;   // postgres, redis, haproxy, odoo
  std::string owner;  // "pool/main", "platform", "tenant/acme"
  std::optional<std::uint16_t> port;
  std::string data_dir;
  std::filesystem::path log_file;
  std::function<core::Command()> command;
  // Ready when it answers (libpq connect, Redis PING, the runtime socket…).
  std::function<core::Status()> probe;
  // A live instance left by an earlier daemon (from its pid file), to adopt instead of start.
  std::function<std::optional<pid_t>()> find_running;
  int stop_signal = SIGTERM;  // PostgreSQL: SIGINT (fast shutdown)
  std::chrono::seconds stop_timeout{30};
  std::chrono::seconds ready_timeout{60};
};

class Supervisor final {
 public:
  Supervisor(catalog::Catalog& catalog, const core::Clock& clock);
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;
  ~Supervisor();

  // Adopts a running instance or starts one, and waits until its probe passes. Replaces an
  // earlier spec of the same name. kComponentFailed quoting the tail of its log.
  core::Status start(ServiceSpec spec);
  // Checks every service once; restarts the dead ones whose backoff has passed. Called by the
  // control loop about once a second.
  void tick();
  // Stops one (its stop signal, then SIGKILL after stop_timeout) and forgets it.
  core::Status stop(const std::string& name);
  // Stops all, newest first (the proxy before the databases it fronts).
  void stop_all();
  // Forgets every service without stopping it (the daemon exits and leaves them running).
  void detach_all();
  [[nodiscard]] bool is_running(const std::string& name);
  [[nodiscard]] std::optional<pid_t> pid(const std::string& name);
  [[nodiscard]] std::vector<std::string> names();

 private:
  struct Service;
  core::Status launch(Service& service);
  void record(const Service& service, catalog::ComponentState state, const std::string& error);
  catalog::Catalog& catalog_;
  const core::Clock& clock_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Service>> services_;  // in start order
};

// The last `lines` lines of a log file, for error messages.
std::string log_tail(const std::filesystem::path& file, std::size_t lines = 15);

}  // namespace ballast::runtime::local
