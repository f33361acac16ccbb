// The daemon's HTTP server (cpp-httplib) on loopback: authenticates bearer tokens, checks each
// route's permission, validates bodies, maps Errors to JSON via the error table.
#pragma once

#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "api/route.h"
#include "spec/units.h"

namespace httplib {
class Server;
}

namespace ballast::api {

// Maps a bearer token to a principal; kUnauthenticated when it is not valid.
using Authenticator = std::function<core::Result<security::Principal>(std::string_view token)>;

struct ServerLimits {
  std::size_t max_body_bytes = 1024 * 1024;
  int read_timeout_seconds = 10;
  int write_timeout_seconds = 30;
  int threads = 8;
};

class Server final {
 public:
  Server(std::vector<Route> routes, Authenticator authenticate, ServerLimits limits = {});
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // Binds and serves on a background thread. kUnavailable when the address is taken.
  core::Status start(const spec::HostPort& address);
  // Stops serving and joins the thread. Idempotent.
  void stop();
  [[nodiscard]] int port() const { return port_; }

 private:
  void install_routes();
  std::vector<Route> routes_;
  Authenticator authenticate_;
  ServerLimits limits_;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  int port_ = 0;
};

// The error body every failure answers with.
nlohmann::json error_body(const core::Error& error, const std::string& request_id);

}  // namespace ballast::api
