#include "components/odoo/rpc.h"

#include <memory>

#include <fmt/format.h>
#include <httplib.h>

namespace ballast::components::odoo {
namespace {

// Through the proxy the tenant's domain is both the Host header and, with TLS, the name the
// certificate must carry; the connection itself goes to the proxy's loopback address.
std::unique_ptr<httplib::Client> connect(const Endpoint& e) {
  const std::string host = e.host.empty() ? e.address : e.host;
  const std::string scheme = e.ca_file.empty() ? "http://" : "https://";
  auto http = std::make_unique<httplib::Client>(fmt::format("{}{}:{}", scheme, host, e.port));
  if (host != e.address) http->set_hostname_addr_map({{host, e.address}});
  if (!e.ca_file.empty()) {
    http->set_ca_cert_path(e.ca_file.c_str());
    http->enable_server_certificate_verification(true);
  }
  const auto seconds = static_cast<time_t>(e.timeout.count());
  http->set_connection_timeout(5, 0);
  http->set_read_timeout(seconds, 0);
  http->set_write_timeout(seconds, 0);
  return http;
}

core::Error unreachable(const Endpoint& e, const std::string& path, httplib::Error error) {
  return core::make_error(core::ErrorCode::kUnavailable, "Odoo at {}:{}{} did not answer {}: {}",
                          e.host.empty() ? e.address : e.host, e.port,
                          e.host.empty() ? "" : " (through " + e.address + ")", path,
                          httplib::to_string(error));
}

// "session_id=…; Path=/; HttpOnly" → the value. Header names are compared without case:
// HAProxy forwards them in lower case.
std::string session_cookie(const httplib::Result& res) {
  const auto count = res->get_header_value_count("Set-Cookie");
  for (std::size_t i = 0; i < count; ++i) {
    const auto value = res->get_header_value("Set-Cookie", i);
    if (value.rfind("session_id=", 0) != 0) continue;
    const auto end = value.find(';');
    return value.substr(11, end == std::string::npos ? std::string::npos : end - 11);
  }
  return "";
}

}  // namespace

core::Status RpcClient::health() {
  auto http = connect(endpoint_);
  auto res = http->Get("/web/health");
  if (!res) return unreachable(endpoint_, "/web/health", res.error());
  if (res->status != 200) {
    return core::make_error(core::ErrorCode::kUnavailable, "/web/health answered {}", res->status);
  }
  return core::ok();
}

core::Result<nlohmann::json> RpcClient::json_rpc(const std::string& path,
                                                 const nlohmann::json& params) {
  auto http = connect(endpoint_);
  httplib::Headers headers;
  if (!session_.empty()) headers.emplace("Cookie", "session_id=" + session_);
  const nlohmann::json request = {
      {"jsonrpc", "2.0"}, {"method", "call"}, {"id", 1}, {"params", params}};
  auto res = http->Post(path, headers, request.dump(), "application/json");
  if (!res) return unreachable(endpoint_, path, res.error());
  if (res->status != 200) {
    return core::make_error(core::ErrorCode::kUnavailable, "{} answered HTTP {}", path,
                            res->status);
  }
  if (auto cookie = session_cookie(res); !cookie.empty()) session_ = cookie;
  auto reply = nlohmann::json::parse(res->body, nullptr, false);
  if (reply.is_discarded() || !reply.is_object()) {
    return core::make_error(core::ErrorCode::kUnavailable, "{} answered something not JSON-RPC",
                            path);
  }
  if (reply.contains("error")) {
    const auto& error = reply["error"];
    const auto data = error.value("data", nlohmann::json::object());
    const std::string name = data.is_object() ? data.value("name", "") : "";
    const std::string message =
        data.is_object() ? data.value("message", error.value("message", "")) : "";
    const auto code = name.find("AccessDenied") != std::string::npos ||
                              name.find("AccessError") != std::string::npos
                          ? core::ErrorCode::kPermissionDenied
                          : core::ErrorCode::kPreconditionFailed;
    return core::make_error(code, "Odoo refused: {}: {}", name.empty() ? "error" : name, message);
  }
  return reply.value("result", nlohmann::json());
}

core::Status RpcClient::authenticate(const std::string& db, const std::string& login,
                                     const core::Secret& password) {
  session_.clear();
  BALLAST_ASSIGN_OR_RETURN(
      auto info, json_rpc("/web/session/authenticate",
                          {{"db", db}, {"login", login}, {"password", password.reveal()}}));
  if (!info.is_object() || !info.contains("uid") || !info["uid"].is_number_integer()) {
    return core::make_error(core::ErrorCode::kPermissionDenied, "Odoo did not log '{}' in to '{}'",
                            login, db);
  }
  db_ = db;
  password_ = password;
  uid_ = info["uid"].get<int>();
  return core::ok();
}

core::Result<nlohmann::json> RpcClient::call(const std::string& model, const std::string& method,
                                             nlohmann::json args, nlohmann::json kwargs) {
  if (uid_ == 0) {
    return core::Error(core::ErrorCode::kPreconditionFailed, "not logged in to Odoo");
  }
  return json_rpc("/jsonrpc",
                  {{"service", "object"},
                   {"method", "execute_kw"},
                   {"args", nlohmann::json::array({db_, uid_, password_.reveal(), model, method,
                                                   std::move(args), std::move(kwargs)})}});
}

core::Result<Page> RpcClient::get(const std::string& path) {
  auto http = connect(endpoint_);
  httplib::Headers headers;
  if (!session_.empty()) headers.emplace("Cookie", "session_id=" + session_);
  auto res = http->Get(path, headers);
  if (!res) return unreachable(endpoint_, path, res.error());
  return Page{res->status, res->get_header_value("Content-Type"), res->body,
              res->get_header_value("Location")};
}

}  // namespace ballast::components::odoo
