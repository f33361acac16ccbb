#include "api/client.h"

#include <memory>
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

namespace {

std::unique_ptr<httplib::Client> connect(const spec::HostPort& address,
                                         const std::filesystem::path& ca_file, int timeout) {
  const std::string scheme = ca_file.empty() ? "http://" : "https://";
  auto http = std::make_unique<httplib::Client>(scheme + spec::format_host_port(address));
  if (!ca_file.empty()) {
    http->set_ca_cert_path(ca_file.c_str());
    http->enable_server_certificate_verification(true);
  }
  http->set_connection_timeout(2, 0);
  http->set_read_timeout(timeout, 0);
  http->set_write_timeout(timeout, 0);
  return http;
}

core::Error unreachable(const spec::HostPort& address, httplib::Error error) {
  return core::make_error(core::ErrorCode::kUnavailable, "the daemon at {} is not answering ({})",
                          spec::format_host_port(address), httplib::to_string(error))
      .with_hint("Start it with 'ballast up --detach', or check 'ballast status'.");
}

// The API's JSON error body ({"error": {code, message, hint}}) as the same core::Error.
core::Error error_from(const nlohmann::json& e) {
  core::Error error(core::error_code_from_name(e.value("code", "internal")),
                    e.value("message", "request failed"));
  if (e.contains("hint")) error.with_hint(e["hint"].get<std::string>());
  return error;
}

// The token and, when given, the TOTP code: on every request.
httplib::Headers auth_headers(const core::Secret& token, const std::string& second_factor) {
  httplib::Headers headers = {{"Authorization", "Bearer " + token.reveal()}};
  if (!second_factor.empty()) headers.emplace("X-Ballast-TOTP", second_factor);
  return headers;
}

// A request parked for a second approver did not run: the caller gets kApprovalPending
// naming the change, rather than an answer shaped unlike the route's.
std::optional<core::Error> parked_change(const nlohmann::json& answer) {
  if (!answer.is_object() || !answer.contains("pending_change")) return std::nullopt;
  const auto& c = answer["pending_change"];
  return core::make_error(core::ErrorCode::kApprovalPending,
                          "'{}' of '{}' needs a second approver: parked as change {} (expires {})",
                          c.value("action", ""), c.value("target", ""), c.value("id", ""),
                          c.value("expires_at", ""))
      .with_hint(answer.value("next", ""));
}

}  // namespace

core::Result<nlohmann::json> Client::send(const std::string& method, const std::string& path,
                                          const nlohmann::json& body) {
  auto http = connect(address_, ca_file_, timeout_seconds_);
  const auto headers = auth_headers(token_, second_factor_);
  const std::string payload = body.is_null() ? "" : body.dump();
  httplib::Result result =
      method == "GET"    ? http->Get(path, headers)
      : method == "POST" ? http->Post(path, headers, payload, "application/json")
      : method == "PUT"  ? http->Put(path, headers, payload, "application/json")
                         : http->Delete(path, headers, payload, "application/json");
  if (!result) return unreachable(address_, result.error());
  auto json = nlohmann::json::parse(result->body, nullptr, false);
  if (result->status >= 400) {
    if (json.is_object() && json.contains("error")) return error_from(json["error"]);
    return core::make_error(core::ErrorCode::kInternal, "the daemon answered {} to {} {}",
                            result->status, method, path);
  }
  if (json.is_discarded()) {
    return core::make_error(core::ErrorCode::kInternal, "the daemon's answer to {} is not JSON",
                            path);
  }
  if (auto parked = parked_change(json)) return *std::move(parked);
  return json;
}

core::Result<nlohmann::json> Client::post_with_progress(
    const std::string& path, const nlohmann::json& body,
    const std::function<void(const nlohmann::json&)>& on_progress) {
  auto http = connect(address_, ca_file_, timeout_seconds_);
  httplib::Request request;
  request.method = "POST";
  request.path = path;
  request.headers = auth_headers(token_, second_factor_);
  request.headers.emplace("Accept", "application/x-ndjson");
  request.headers.emplace("Content-Type", "application/json");
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
  if (!http->send(request, response, error)) return unreachable(address_, error);
  nlohmann::json answer = last.value_or(nlohmann::json::parse(plain, nullptr, false));
  if (answer.is_object() && answer.contains("error")) return error_from(answer["error"]);
  if (answer.is_object() && answer.contains("result")) return answer["result"];
  if (auto parked = parked_change(answer)) return *std::move(parked);
  if (response.status >= 400 || answer.is_discarded()) {
    return core::make_error(core::ErrorCode::kInternal, "the daemon answered {} to POST {}",
                            response.status, path);
  }
  return answer;
}

}  // namespace ballast::api
