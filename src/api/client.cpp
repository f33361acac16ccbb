#include "api/client.h"

#include <httplib.h>

namespace ballast::api {

Client::Client(spec::HostPort address, core::Secret token)
    : address_(std::move(address)), token_(std::move(token)) {}

core::Result<nlohmann::json> Client::get(const std::string& path) { return send("GET", path, {}); }
core::Result<nlohmann::json> Client::post(const std::string& path, const nlohmann::json& body) {
  return send("POST", path, body);
}
core::Result<nlohmann::json> Client::put(const std::string& path, const nlohmann::json& body) {
  return send("PUT", path, body);
}
core::Result<nlohmann::json> Client::del(const std::string& path, const nlohmann::json& body) {
  return send("DELETE", path, body);
}

core::Result<nlohmann::json> Client::send(const std::string& method, const std::string& path,
                                          const nlohmann::json& body) {
  const std::string scheme = ca_file_.empty() ? "http://" : "https://";
  httplib::Client http(scheme + spec::format_host_port(address_));
  if (!ca_file_.empty()) {
    http.set_ca_cert_path(ca_file_.c_str());
    http.enable_server_certificate_verification(true);
  }
  http.set_connection_timeout(2, 0);
  http.set_read_timeout(timeout_seconds_, 0);
  http.set_write_timeout(timeout_seconds_, 0);
  httplib::Headers headers = {{"Authorization", "Bearer " + token_.reveal()}};
  if (!second_factor_.empty()) headers.emplace("X-Ballast-TOTP", second_factor_);
  const std::string payload = body.is_null() ? "" : body.dump();
  httplib::Result result =
      method == "GET"    ? http.Get(path, headers)
      : method == "POST" ? http.Post(path, headers, payload, "application/json")
      : method == "PUT"  ? http.Put(path, headers, payload, "application/json")
                         : http.Delete(path, headers, payload, "application/json");
  if (!result) {
    return core::make_error(core::ErrorCode::kUnavailable, "the daemon at {} is not answering ({})",
                            spec::format_host_port(address_), httplib::to_string(result.error()))
        .with_hint("Start it with 'ballast up --detach', or check 'ballast status'.");
  }
  auto json = nlohmann::json::parse(result->body, nullptr, false);
  if (result->status >= 400) {
    if (json.is_object() && json.contains("error")) {
      const auto& e = json["error"];
      core::Error error(core::error_code_from_name(e.value("code", "internal")),
                        e.value("message", "request failed"));
      if (e.contains("hint")) error.with_hint(e["hint"].get<std::string>());
      return error;
    }
    return core::make_error(core::ErrorCode::kInternal, "the daemon answered {} to {} {}",
                            result->status, method, path);
  }
  if (json.is_discarded()) {
    return core::make_error(core::ErrorCode::kInternal, "the daemon's answer to {} is not JSON",
                            path);
  }
  return json;
}

}  // namespace ballast::api
