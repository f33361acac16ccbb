// The shape of a REST route. The one route table (routes.cpp) is served by server.h and
// described by openapi.h; permissions and request schemas are declared there, once.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "security/access.h"

namespace ballast::api {

struct Request {
  std::string method;
  std::string path;
  std::map<std::string, std::string> params;  // from "{name}" segments of the pattern
  std::multimap<std::string, std::string> query;
  nlohmann::json body;  // null when the request has none
  security::Principal principal;
  std::string request_id;
  [[nodiscard]] std::string query_value(const std::string& key, std::string fallback = "") const;
};

// Progress of long work, as JSON: {"phase": "database", "bytes": 123, "total": 456}.
using ProgressSink = std::function<void(const nlohmann::json&)>;

struct Response {
  int status = 200;
  nlohmann::json body;
  std::string content_type = "application/json";
  std::string raw;  // when not JSON (HTML, text)
  // Long work, run by the server: when the client accepts application/x-ndjson, the answer
  // streams {"progress": …} lines and ends with {"result": …} or {"error": …}; otherwise the
  // work runs without progress and answers as usual.
  std::function<core::Result<Response>(const ProgressSink&)> deferred;
  static Response json(nlohmann::json body, int status = 200) {
    return Response{status, std::move(body), "application/json", "", nullptr};
  }
  static Response streamed(std::function<core::Result<Response>(const ProgressSink&)> work) {
    Response r;
    r.deferred = std::move(work);
    return r;
  }
};

inline constexpr std::string_view kProgressMediaType = "application/x-ndjson";

using Handler = std::function<core::Result<Response>(const Request&)>;

// When a route needs a valid TOTP code (header X-Ballast-TOTP) besides the token: for the
// requests `applies` selects (null: never); `condition` says which, in the OpenAPI document.
struct SecondFactorRule {
  std::function<bool(const Request&)> applies;
  std::string condition;
  [[nodiscard]] bool is_set() const { return static_cast<bool>(applies); }
};

// When a route's requests wait for a second approver: the spec names `action` in
// security.approvals, and `applies` selects the request (null: every request).
struct ApprovalRule {
  std::string_view action;  // one of spec::kApprovalActions
  std::function<bool(const Request&)> applies;
  std::string condition;
  [[nodiscard]] bool is_set() const { return !action.empty(); }
};

struct Route {
  std::string_view method;   // GET, POST, PUT, PATCH, DELETE
  std::string_view pattern;  // OpenAPI style: "/api/v1/tenants/{name}"
  std::string_view operation_id;
  std::string_view summary;
  security::Permission permission;
  std::string_view tenant_param;  // the path parameter naming the tenant concerned, if any
  nlohmann::json request_schema;  // JSON Schema of the body; null when there is none
  Handler handler;
  SecondFactorRule second_factor{};  // set with requires_second_factor*()
  ApprovalRule approval{};           // set with requires_approval*()
  bool is_tenant_filtered = false;   // a listing that shows tenant-admins their tenants only

  // Marks a privileged route: every call needs a valid, unused TOTP code. Append it to the
  // route in the table: `Route{…}.requires_second_factor()`. Refusals are audited.
  Route&& requires_second_factor() &&;
  // Only the calls `applies` selects need the code (e.g. an in-place restore).
  Route&& requires_second_factor_when(std::function<bool(const Request&)> applies,
                                      std::string condition) &&;
  // Where the spec lists `action` in security.approvals, a fully admitted request (token,
  // permission, body, second factor) is parked as a pending change (202) instead of running;
  // it runs when a different holder approves it (`ballast change approve`).
  Route&& requires_approval(std::string_view action) &&;
  // Only the requests `applies` selects are parked (e.g. an in-place restore).
  Route&& requires_approval_when(std::string_view action,
                                 std::function<bool(const Request&)> applies,
                                 std::string condition) &&;
  // A listing route without a tenant parameter that tenant-admins may call: its handler must
  // keep only the tenants security::can_see_tenant() allows.
  Route&& filtered_by_tenant() &&;
};

// "^/api/v1/tenants/([^/]+)$" and the parameter names, in order.
std::string route_regex(std::string_view pattern, std::vector<std::string>& names);

}  // namespace ballast::api
