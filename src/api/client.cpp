#include "api/client.h"

#include <optional>

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

core::Result<nlohmann::json> Client::post_with_progress(
    const std::string& path, const nlohmann::json& body,
    const std::function<void(const nlohmann::json&)>& on_progress) {
  const std::string scheme = ca_file_.empty() ? "http://" : "https://";
  httplib::Client http(scheme + spec::format_host_port(address_));
  if (!ca_file_.empty()) {
    http.set_ca_cert_path(ca_file_.c_str());
    http.enable_server_certificate_verification(true);
  }
  http.set_connection_timeout(2, 0);
  http.set_read_timeout(timeout_seconds_, 0);
  http.set_write_timeout(timeout_seconds_, 0);
  httplib::Request request;
  request.method = "POST";
  request.path = path;
  request.headers = {{"Authorization", "Bearer " + token_.reveal()},
                     {"Accept", "application/x-ndjson"},
                     {"Content-Type", "application/json"}};
  if (!second_factor_.empty()) request.headers.emplace("X-Ballast-TOTP", second_factor_);
  request.body = body.is_null() ? "{}" : body.dump();
  std::string pending;
  std::string plain;  // a non-streamed answer (errors before the work starts)
  std::optional<nlohmann::json> last;
  request.content_receiver = [&](const char* data, std::size_t size, std::uint64_t, std::uint64_t) {
    pending.append(data, size);
    plain.append(data, size);
    for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n')) {
      auto line = nlohmann::json::parse(pending.substr(0, end), nullptr, false);
      pending.erase(0, end + 1);
      if (!line.is_object()) continue;
      if (line.contains("progress")) {
        if (on_progress) on_progress(line["progress"]);
      } else {
        last = std::move(line);
      }
    }
    return true;
  };
  httplib::Response response;
  httplib::Error error = httplib::Error::Success;
  if (!http.send(request, response, error)) {
    return core::make_error(core::ErrorCode::kUnavailable, "the daemon at {} is not answering ({})",
                            spec::format_host_port(address_), httplib::to_string(error))
        .with_hint("Start it with 'ballast up --detach', or check 'ballast status'.");
  }
  nlohmann::json answer = last.value_or(nlohmann::json::parse(plain, nullptr, false));
  if (answer.is_object() && answer.contains("error")) {
    const auto& e = answer["error"];
    core::Error failure(core::error_code_from_name(e.value("code", "internal")),
                        e.value("message", "request failed"));
    if (e.contains("hint")) failure.with_hint(e["hint"].get<std::string>());
    return failure;
  }
  if (answer.is_object() && answer.contains("result")) return answer["result"];
  if (response.status >= 400 || answer.is_discarded()) {
    return core::make_error(core::ErrorCode::kInternal, "the daemon answered {} to POST {}",
                            response.status, path);
  }
  return answer;
}

}  // namespace ballast::api
