// A client of an Odoo server's HTTP surface as a user's browser or integration reaches it: a
// session from /web/session/authenticate, models through /jsonrpc (execute_kw), pages and
// reports with the session cookie. Used by the synthetic journeys and the restore drills.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "core/secret.h"

namespace ballast::components::odoo {

struct Endpoint {
  std::string address = "127.0.0.1";  // where to connect
  std::uint16_t port = 0;
  std::string host;  // the Host header (a tenant domain through the proxy); empty: address
  std::filesystem::path ca_file;  // set: TLS, the server's chain checked against this CA
  std::chrono::seconds timeout{30};
};

struct Page {
  int status = 0;
  std::string content_type;
  std::string body;
  std::string location;  // of a redirect
};

class RpcClient final {
 public:
  explicit RpcClient(Endpoint endpoint) : endpoint_(std::move(endpoint)) {}

  // GET /web/health: ok when it answers 200 with status pass.
  core::Status health();
  // Logs in; kPermissionDenied for wrong credentials, kUnavailable when Odoo does not answer.
  core::Status authenticate(const std::string& db, const std::string& login,
                            const core::Secret& password);
  // object.execute_kw as the authenticated user: the result, or Odoo's error named.
  core::Result<nlohmann::json> call(const std::string& model, const std::string& method,
                                    nlohmann::json args,
                                    nlohmann::json kwargs = nlohmann::json::object());
  // A GET with the session cookie (reports, pages).
  core::Result<Page> get(const std::string& path);
  [[nodiscard]] int uid() const { return uid_; }
  [[nodiscard]] bool has_session() const { return !session_.empty(); }

 private:
  core::Result<nlohmann::json> json_rpc(const std::string& path, const nlohmann::json& params);

  Endpoint endpoint_;
  std::string db_;
  core::Secret password_;
  std::string session_;
  int uid_ = 0;
};

}  // namespace ballast::components::odoo
