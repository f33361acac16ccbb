#include "api/server.h"

#include <httplib.h>

#include "core/crypto.h"
#include "core/log.h"
#include "security/second_factor.h"

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

RawRequest raw_request(const httplib::Request& req, std::map<std::string, std::string> params,
                       std::string request_id) {
  RawRequest raw;
  raw.method = req.method;
  raw.path = req.path;
  raw.params = std::move(params);
  for (const auto& [k, v] : req.params) raw.query.emplace(k, v);
  raw.authorization = req.get_header_value("Authorization");
  raw.second_factor = req.get_header_value(std::string(security::kSecondFactorHeader).c_str());
  raw.body = req.body;
  raw.request_id = std::move(request_id);
  return raw;
}

}  // namespace

nlohmann::json error_body(const core::Error& error, const std::string& request_id) {
  nlohmann::json body = {{"code", error.code_name()}, {"message", error.to_string()}};
  if (!error.hint().empty()) body["hint"] = error.hint();
  if (!request_id.empty()) body["request_id"] = request_id;
  return {{"error", body}};
}

Server::Server(std::vector<Route> routes, Gate gate, ServerLimits limits)
    : routes_(std::move(routes)),
      router_(routes_),
      gate_(std::move(gate)),
      limits_(limits),
      http_(std::make_unique<httplib::Server>()) {}

Server::~Server() { stop(); }

void Server::serve(const httplib::Request& req, httplib::Response& res) const {
  const std::string request_id = core::hex_encode(core::random_bytes(6));
  res.set_header("X-Request-Id", request_id);
  // Every line logged while serving this request carries its id (and tenant, when it has one).
  const core::log::Context logged({{"request_id", request_id}});
  auto match = router_.match(req.method, req.path);
  if (!match.has_value()) return send_error(res, match.error(), request_id);
  const Route& route = *match->route;
  const auto tenant = route.tenant_param.empty()
                          ? match->params.end()
                          : match->params.find(std::string(route.tenant_param));
  const std::string tenant_name =
      tenant == match->params.end() ? std::string() : printable(tenant->second, 64);
  const core::log::Context logged_tenant({{"tenant", tenant_name}});
  auto request = admit(gate_, route, raw_request(req, std::move(match->params), request_id));
  if (!request.has_value()) {
    core::log::info("api request refused", {{"request_id", request_id},
                                            {"method", req.method},
                                            {"path", printable(req.path, 200)},
                                            {"code", std::string(request.error().code_name())}});
    if (request.error().code() == core::ErrorCode::kRateLimited) res.set_header("Retry-After", "1");
    return send_error(res, request.error(), request_id);
  }
  auto response = dispatch(gate_, route, *request);
  core::log::info(
      "api request",
      {{"request_id", request_id},
       {"method", req.method},
       {"path", req.path},
       {"actor", request->principal.id},
       {"status",
        std::to_string(response.has_value() ? response->status : response.error().http_status())}});
  if (!response.has_value()) return send_error(res, response.error(), request_id);
  if (!response->deferred) return send(res, *response);
  const bool streaming =
      req.get_header_value("Accept").find(kProgressMediaType) != std::string::npos;
  if (!streaming) {
    auto done = response->deferred(nullptr);
    if (!done.has_value()) return send_error(res, done.error(), request_id);
    return send(res, *done);
  }
  // The work runs while the answer streams: progress lines, then the result or the error.
  auto work = response->deferred;
  res.status = 200;
  res.set_chunked_content_provider(
      std::string(kProgressMediaType),
      [work, request_id, tenant_name](std::size_t, httplib::DataSink& sink) {
        const core::log::Context streamed({{"request_id", request_id}, {"tenant", tenant_name}});
        auto line = [&sink](const nlohmann::json& j) {
          const auto text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
          return sink.write(text.data(), text.size());
        };
        auto done = work([&line](const nlohmann::json& p) { line({{"progress", p}}); });
        if (done.has_value()) {
          line({{"result", done->body}, {"status", done->status}});
        } else {
          line(error_body(done.error(), request_id));
        }
        sink.done();
        return true;
      });
}

void Server::install_routes() {
  // One catch-all per method: the router (shared with the fuzz target) does the matching.
  const std::string any = "[\\s\\S]*";
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { serve(req, res); };
  http_->Get(any, handler);
  http_->Post(any, handler);
  http_->Put(any, handler);
  http_->Patch(any, handler);
  http_->Delete(any, handler);
  http_->set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    const auto error =
        res.status == 404 ? core::make_error(core::ErrorCode::kNotFound, "no route for {} '{}'",
                                             printable(req.method), printable(req.path, 200))
        : res.status == 413
            ? core::Error(core::ErrorCode::kPayloadTooLarge, "request is larger than the limit")
            : core::make_error(core::ErrorCode::kInvalidArgument, "malformed request ({})",
                               res.status);
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

core::Status Server::use_tls(const std::filesystem::path& certificate,
                             const std::filesystem::path& key) {
  auto tls = std::make_unique<httplib::SSLServer>(certificate.c_str(), key.c_str());
  if (!tls->is_valid()) {
    return core::make_error(core::ErrorCode::kInvalidArgument,
                            "cannot load the API's TLS certificate '{}'", certificate.string());
  }
  http_ = std::move(tls);
  return core::ok();
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
