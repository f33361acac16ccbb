// The daemon's HTTP server (cpp-httplib) on loopback: matches routes (router.h), admits
// requests through the gate (tokens, rate limits, permissions, bodies, second factors), and
// maps Errors to JSON via the error table.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "api/gate.h"
#include "api/route.h"
#include "api/router.h"
#include "spec/units.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace ballast::api {

struct ServerLimits {
  std::size_t max_body_bytes = 1024 * 1024;
  int read_timeout_seconds = 10;
  int write_timeout_seconds = 30;
  int threads = 8;
};

class Server final {
 public:
  // Every request passes `gate` (gate.h) before its route's handler runs.
  Server(std::vector<Route> routes, Gate gate, ServerLimits limits = {});
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // Serves TLS with this certificate chain and key (PEM files) instead of plain HTTP; call
  // before start(). kInvalidArgument when OpenSSL cannot load them.
  core::Status use_tls(const std::filesystem::path& certificate, const std::filesystem::path& key);
  // Binds and serves on a background thread. kUnavailable when the address is taken.
  core::Status start(const spec::HostPort& address);
  // Stops serving and joins the thread. Idempotent.
  void stop();
  [[nodiscard]] int port() const { return port_; }

 private:
  void install_routes();
  void serve(const httplib::Request& req, httplib::Response& res) const;
  std::vector<Route> routes_;
  Router router_;
  Gate gate_;
  ServerLimits limits_;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  int port_ = 0;
};

// The error body every failure answers with.
nlohmann::json error_body(const core::Error& error, const std::string& request_id);

}  // namespace ballast::api
