// A client of the daemon's API, used by the CLI. Errors in the API's JSON error body come back
// as the same core::Error (code, message, hint).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "core/secret.h"
#include "spec/units.h"

namespace ballast::api {

class Client final {
 public:
  Client(spec::HostPort address, core::Secret token);

  core::Result<nlohmann::json> get(const std::string& path);
  core::Result<nlohmann::json> post(const std::string& path, const nlohmann::json& body = {});
  core::Result<nlohmann::json> put(const std::string& path, const nlohmann::json& body);
  core::Result<nlohmann::json> del(const std::string& path, const nlohmann::json& body = {});
  // POST to a route that streams progress (application/x-ndjson): `on_progress` gets each
  // {"phase", "bytes", "total"} as it comes; the result is the final answer.
  core::Result<nlohmann::json> post_with_progress(
      const std::string& path, const nlohmann::json& body,
      const std::function<void(const nlohmann::json&)>& on_progress);
  // A TOTP code sent as X-Ballast-TOTP with every request (privileged routes need one).
  void set_second_factor(std::string code) { second_factor_ = std::move(code); }
  // Speaks TLS to the daemon, trusting only the CA in this PEM file (the local CA).
  void set_ca_file(std::filesystem::path ca_file) { ca_file_ = std::move(ca_file); }
  // Seconds to wait for long operations (apply, backup); default 30.
  void set_timeout_seconds(int seconds) { timeout_seconds_ = seconds; }

 private:
  core::Result<nlohmann::json> send(const std::string& method, const std::string& path,
                                    const nlohmann::json& body);
  spec::HostPort address_;
  core::Secret token_;
  std::string second_factor_;
  int timeout_seconds_ = 30;
  std::filesystem::path ca_file_;
};

}  // namespace ballast::api
