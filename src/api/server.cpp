#include "api/server.h"

#include <httplib.h>

#include "api/body_schema.h"
#include "core/crypto.h"
#include "core/log.h"

namespace ballast::api {
namespace {

void send(httplib::Response& res, const Response& response) {
  res.status = response.status;
  if (response.content_type == "application/json") {
    res.set_content(
        response.body.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
        "application/json");
  } else {
    res.set_content(response.raw, response.content_type.c_str());
  }
}

void send_error(httplib::Response& res, const core::Error& error, const std::string& request_id) {
  res.status = error.http_status();
  res.set_content(error_body(error, request_id).dump(2) + "\n", "application/json");
}

core::Result<security::Principal> authorize(const httplib::Request& req, const Route& route,
                                            const std::map<std::string, std::string>& params,
                                            const Authenticator& authenticate) {
  if (route.permission == security::Permission::kPublic) return security::Principal{"anonymous"};
  const std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.compare(0, kBearer.size(), kBearer) != 0) {
    return core::Error(core::ErrorCode::kUnauthenticated, "missing bearer token")
        .with_hint(
            "Send 'Authorization: Bearer <token>'; the CLI reads it from the state "
            "directory.");
  }
  BALLAST_ASSIGN_OR_RETURN(auto principal, authenticate(header.substr(kBearer.size())));
  std::string tenant;
  if (!route.tenant_param.empty()) {
    auto it = params.find(std::string(route.tenant_param));
    if (it != params.end()) tenant = it->second;
  }
  if (!security::allows(principal, route.permission, tenant)) {
    return core::make_error(
        core::ErrorCode::kPermissionDenied, "role '{}' may not {} ({} permission needed)",
        security::to_string(principal.role), route.summary, security::to_string(route.permission));
  }
  return principal;
}

core::Result<Request> make_request(const httplib::Request& req, const Route& route,
                                   const std::vector<std::string>& names, std::string request_id) {
  Request out;
  out.method = req.method;
  out.path = req.path;
  out.request_id = std::move(request_id);
  for (std::size_t i = 0; i < names.size() && i + 1 < req.matches.size(); ++i) {
    out.params[names[i]] = httplib::detail::decode_url(req.matches[i + 1].str(), false);
  }
  for (const auto& [k, v] : req.params) out.query.emplace(k, v);
  if (!req.body.empty()) {
    out.body = nlohmann::json::parse(req.body, nullptr, false);
    if (out.body.is_discarded()) {
      return core::Error(core::ErrorCode::kInvalidArgument, "request body is not valid JSON")
          .with_hint("Send a JSON object with 'Content-Type: application/json'.");
    }
  }
  if (!route.request_schema.is_null()) {
    BALLAST_TRY(validate_body(route.request_schema,
                              out.body.is_null() ? nlohmann::json::object() : out.body));
  }
  return out;
}

}  // namespace

nlohmann::json error_body(const core::Error& error, const std::string& request_id) {
  nlohmann::json body = {{"code", error.code_name()}, {"message", error.to_string()}};
  if (!error.hint().empty()) body["hint"] = error.hint();
  if (!request_id.empty()) body["request_id"] = request_id;
  return {{"error", body}};
}

Server::Server(std::vector<Route> routes, Authenticator authenticate, ServerLimits limits)
    : routes_(std::move(routes)),
      authenticate_(std::move(authenticate)),
      limits_(limits),
      http_(std::make_unique<httplib::Server>()) {}

Server::~Server() { stop(); }

void Server::install_routes() {
  for (const auto& route : routes_) {
    auto names = std::make_shared<std::vector<std::string>>();
    const std::string regex = route_regex(route.pattern, *names);
    auto handler = [this, &route, names](const httplib::Request& req, httplib::Response& res) {
      const std::string request_id = core::hex_encode(core::random_bytes(6));
      res.set_header("X-Request-Id", request_id);
      std::map<std::string, std::string> params;
      for (std::size_t i = 0; i < names->size() && i + 1 < req.matches.size(); ++i) {
        params[(*names)[i]] = req.matches[i + 1].str();
      }
      auto principal = authorize(req, route, params, authenticate_);
      if (!principal.has_value()) return send_error(res, principal.error(), request_id);
      auto request = make_request(req, route, *names, request_id);
      if (!request.has_value()) return send_error(res, request.error(), request_id);
      request->principal = std::move(principal).value();
      auto response = route.handler(*request);
      core::log::info(
          "api request",
          {{"request_id", request_id},
           {"method", req.method},
           {"path", req.path},
           {"actor", request->principal.id},
           {"status", std::to_string(response.has_value() ? response->status
                                                          : response.error().http_status())}});
      if (!response.has_value()) return send_error(res, response.error(), request_id);
      send(res, *response);
    };
    if (route.method == "GET") http_->Get(regex, handler);
    if (route.method == "POST") http_->Post(regex, handler);
    if (route.method == "PUT") http_->Put(regex, handler);
    if (route.method == "PATCH") http_->Patch(regex, handler);
    if (route.method == "DELETE") http_->Delete(regex, handler);
  }
  http_->set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    const auto code = res.status == 404   ? core::ErrorCode::kNotFound
                      : res.status == 413 ? core::ErrorCode::kPayloadTooLarge
                                          : core::ErrorCode::kInvalidArgument;
    const auto error = core::make_error(code, "no route for {} '{}'", req.method, req.path);
    res.set_content(error_body(error, "").dump(2) + "\n", "application/json");
  });
  http_->set_exception_handler([](const httplib::Request& req, httplib::Response& res,
                                  std::exception_ptr e) {
    std::string what = "unknown exception";
    try {
      if (e) std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      what = ex.what();
    } catch (...) {
    }
    core::log::error("api handler threw", {{"path", req.path}, {"what", what}});
    res.status = 500;
    const core::Error error(core::ErrorCode::kInternal, "internal error while serving the request");
    res.set_content(error_body(error, "").dump(2) + "\n", "application/json");
  });
}

core::Status Server::start(const spec::HostPort& address) {
  install_routes();
  http_->set_payload_max_length(limits_.max_body_bytes);
  http_->set_read_timeout(limits_.read_timeout_seconds, 0);
  http_->set_write_timeout(limits_.write_timeout_seconds, 0);
  const int threads = limits_.threads;
  http_->new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));
  };
  if (address.port == 0) {
    port_ = http_->bind_to_any_port(address.host);
  } else {
    port_ = http_->bind_to_port(address.host, address.port) ? address.port : -1;
  }
  if (port_ <= 0) {
    return core::make_error(core::ErrorCode::kUnavailable, "cannot listen on {}",
                            spec::format_host_port(address))
        .with_hint("Another program uses that port: stop it, or set platform.api in the spec.");
  }
  thread_ = std::thread([this] { http_->listen_after_bind(); });
  return core::ok();
}

void Server::stop() {
  if (http_) http_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace ballast::api
