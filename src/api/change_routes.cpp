// Second approver: privileged requests the spec lists in security.approvals are parked by the
// gate (park_change) as pending changes, and run when a different holder approves them with its
// own TOTP code. Part of the one route table (routes.cpp). Every decision is audited.
#include <fmt/format.h>

#include "api/routes.h"
#include "core/crypto.h"

namespace ballast::api {
namespace {

using security::Permission;

constexpr auto kChangeLifetime = std::chrono::hours(1);

nlohmann::json change_json(const catalog::ChangeRecord& c) {
  nlohmann::json j = {{"id", c.id},
                      {"action", c.action},
                      {"operation", c.operation},
                      {"method", c.method},
                      {"path", c.path},
                      {"target", c.target},
                      {"requester", c.requester},
                      {"created_at", core::format_rfc3339(c.created_at)},
                      {"expires_at", core::format_rfc3339(c.expires_at)},
                      {"state", catalog::to_string(c.state)}};
  if (c.decided_at) {
    j["decided_by"] = c.decided_by;
    j["decided_at"] = core::format_rfc3339(*c.decided_at);
  }
  if (!c.reason.empty()) j["reason"] = c.reason;
  if (!c.outcome.empty()) j["outcome"] = c.outcome;
  return j;
}

nlohmann::json reason_schema() {
  return {{"type", "object"},
          {"additionalProperties", false},
          {"properties", {{"reason", {{"type", "string"}, {"maxLength", 500}}}}}};
}

// Closes the changes past their expiry, each with an audit row.
core::Status expire_due(app::Platform& platform) {
  BALLAST_ASSIGN_OR_RETURN(auto expired,
                           platform.catalog().changes().expire_due(platform.clock().now()));
  for (const auto& c : expired) {
    BALLAST_TRY(
        platform.audit(app::Actor{"daemon"}, "change.expire", "change/" + c.id, core::ok(),
                       {{"action", c.action}, {"target", c.target}, {"requester", c.requester}}));
  }
  return core::ok();
}

struct Desk {
  app::Platform& platform;
  security::AccessControl* access;
  std::shared_ptr<const std::vector<Route>> table;  // the routes a change can run
};

core::Result<const Route*> route_of(const Desk& d, const catalog::ChangeRecord& c) {
  for (const auto& route : *d.table) {
    if (route.operation_id == c.operation) return &route;
  }
  return core::make_error(core::ErrorCode::kNotFound,
                          "change '{}' is for operation '{}', which "
                          "this daemon does not serve",
                          c.id, c.operation);
}

// The requester as it asked, provided its token still stands.
core::Result<security::Principal> requester_of(const Desk& d, const catalog::ChangeRecord& c) {
  const auto j = nlohmann::json::parse(c.requester_json, nullptr, false);
  security::Principal p;
  p.id = c.requester;
  p.role = security::role_from(j.value("role", "")).value_or(security::Role::kAuditor);
  p.tenants = j.value("tenants", std::vector<std::string>{});
  if (d.access != nullptr && c.requester.rfind("token:", 0) == 0) {
    BALLAST_ASSIGN_OR_RETURN(auto token, d.access->tokens().get(c.requester.substr(6)));
    if (token.is_revoked() || token.is_expired(d.platform.clock().now())) {
      return core::make_error(core::ErrorCode::kConflict,
                              "the token that asked for change '{}' ('{}') is no longer valid",
                              c.id, c.requester)
          .with_hint("Reject the change; its requester must ask again with a valid token.");
    }
  }
  return p;
}

core::Status check_approver(const catalog::ChangeRecord& c, const Route& route,
                            const security::Principal& approver) {
  if (approver.id == c.requester) {
    return core::make_error(core::ErrorCode::kPermissionDenied,
                            "'{}' asked for change '{}' and cannot approve it too", approver.id,
                            c.id)
        .with_hint(
            "A different platform admin, with their own token and TOTP code, must run "
            "'ballast change approve " +
            c.id + "'.");
  }
  std::string tenant;
  const auto params = nlohmann::json::parse(c.params, nullptr, false);
  if (!route.tenant_param.empty() && params.is_object()) {
    tenant = params.value(std::string(route.tenant_param), "");
  }
  if (!security::allows(approver, route.permission, tenant)) {
    return core::make_error(
        core::ErrorCode::kPermissionDenied, "role '{}' may not approve '{}' ({} permission needed)",
        security::to_string(approver.role), c.action, security::to_string(route.permission));
  }
  return core::ok();
}

core::Status check_open(const catalog::ChangeRecord& c) {
  if (c.state == catalog::ChangeState::kExpired) {
    return core::make_error(core::ErrorCode::kConflict,
                            "change '{}' expired at {} and can no "
                            "longer be approved",
                            c.id, core::format_rfc3339(c.expires_at))
        .with_hint("Its requester must ask again; a parked change waits " +
                   std::to_string(kChangeLifetime.count()) + " h at most.");
  }
  if (c.state != catalog::ChangeState::kPending) {
    return core::make_error(core::ErrorCode::kConflict, "change '{}' is {}, not pending", c.id,
                            catalog::to_string(c.state));
  }
  return core::ok();
}

// The parked request, as the original route's handler would have seen it.
core::Result<Request> replayed(const Desk& d, const catalog::ChangeRecord& c,
                               const Request& approval) {
  Request r;
  r.method = c.method;
  r.path = c.path;
  const auto params = nlohmann::json::parse(c.params, nullptr, false);
  if (params.is_object()) {
    for (const auto& [k, v] : params.items()) r.params[k] = v.get<std::string>();
  }
  BALLAST_ASSIGN_OR_RETURN(auto body, d.platform.catalog().changes().request_body(c.id));
  r.body = nlohmann::json::parse(body.reveal(), nullptr, false);
  if (r.body.is_discarded()) r.body = nullptr;
  BALLAST_ASSIGN_OR_RETURN(r.principal, requester_of(d, c));
  r.principal.approved_by = approval.principal.id;
  r.request_id = approval.request_id;
  return r;
}

// Marks the change executed with the outcome of its handler.
core::Result<Response> finished(const Desk& d, const catalog::ChangeRecord& c,
                                core::Result<Response> result) {
  const std::string outcome = result.has_value() ? "ok" : std::string(result.error().code_name());
  BALLAST_TRY(d.platform.catalog().changes().finish(c.id, outcome));
  if (!result.has_value()) return result;
  auto change = d.platform.catalog().changes().get(c.id);
  nlohmann::json body = {{"change", change ? change_json(*change) : change_json(c)},
                         {"result", result->body}};
  return Response::json(std::move(body), result->status);
}

core::Result<Response> approve(const Desk& d, const Request& r) {
  BALLAST_TRY(expire_due(d.platform));
  auto& changes = d.platform.catalog().changes();
  BALLAST_ASSIGN_OR_RETURN(auto c, changes.get(r.params.at("id")));
  const std::string target = "change/" + c.id;
  nlohmann::json detail = {{"action", c.action},
                           {"target", c.target},
                           {"requester", c.requester},
                           {"request_id", r.request_id}};
  if (r.body.is_object() && r.body.contains("reason")) detail["reason"] = r.body["reason"];
  auto checked = [&]() -> core::Result<Request> {
    BALLAST_TRY(check_open(c));
    BALLAST_ASSIGN_OR_RETURN(const auto* route, route_of(d, c));
    BALLAST_TRY(check_approver(c, *route, r.principal));
    BALLAST_ASSIGN_OR_RETURN(auto request, replayed(d, c, r));
    BALLAST_TRY(changes.decide(c.id, catalog::ChangeState::kApproved, r.principal.id,
                               r.body.value("reason", ""), d.platform.clock().now()));
    return request;
  }();
  BALLAST_TRY(d.platform.audit(app::Actor{r.principal.id}, "change.approve", target,
                               checked.has_value() ? core::ok() : core::Status(checked.error()),
                               detail));
  if (!checked.has_value()) return std::move(checked).error();
  const Route* route = route_of(d, c).value();
  auto response = route->handler(*checked);
  if (!response.has_value() || !response->deferred) return finished(d, c, std::move(response));
  // Long work (an in-place restore) streams as the original route would; closed when done.
  return Response::streamed([d, c, work = response->deferred](const ProgressSink& sink) {
    return finished(d, c, work(sink));
  });
}

core::Result<Response> reject(const Desk& d, const Request& r) {
  BALLAST_TRY(expire_due(d.platform));
  auto& changes = d.platform.catalog().changes();
  BALLAST_ASSIGN_OR_RETURN(auto c, changes.get(r.params.at("id")));
  const std::string reason = r.body.value("reason", "");
  auto done = check_open(c).and_then([&] {
    return changes.decide(c.id, catalog::ChangeState::kRejected, r.principal.id, reason,
                          d.platform.clock().now());
  });
  nlohmann::json detail = {{"action", c.action},
                           {"target", c.target},
                           {"requester", c.requester},
                           {"request_id", r.request_id}};
  if (!reason.empty()) detail["reason"] = reason;
  BALLAST_TRY(d.platform.audit(app::Actor{r.principal.id}, "change.reject", "change/" + c.id, done,
                               detail));
  if (!done.has_value()) return std::move(done).error();
  BALLAST_ASSIGN_OR_RETURN(auto closed, changes.get(c.id));
  return Response::json({{"change", change_json(closed)}});
}

}  // namespace

core::Result<Response> park_change(app::Platform& platform, const Route& route,
                                   const Request& request) {
  catalog::ChangeRecord c;
  c.id = core::hex_encode(core::random_bytes(6));
  c.action = route.approval.action;
  c.operation = route.operation_id;
  c.method = request.method;
  c.path = request.path;
  c.params = nlohmann::json(request.params).dump();
  const auto tenant = request.params.find(std::string(route.tenant_param));
  c.target = route.tenant_param.empty() || tenant == request.params.end()
                 ? "platform"
                 : "tenant/" + tenant->second;
  c.requester = request.principal.id;
  c.requester_json = nlohmann::json{{"role", security::to_string(request.principal.role)},
                                    {"tenants", request.principal.tenants}}
                         .dump();
  c.created_at = platform.clock().now();
  c.expires_at = c.created_at + kChangeLifetime;
  nlohmann::json detail = {{"action", c.action},
                           {"target", c.target},
                           {"operation", c.operation},
                           {"request_id", request.request_id}};
  if (request.body.is_object() && request.body.contains("reason")) {
    detail["reason"] = request.body["reason"];
  }
  auto stored = platform.catalog().changes().create(c, core::Secret(request.body.dump()));
  BALLAST_TRY(
      platform.audit(app::Actor{c.requester}, "change.request", "change/" + c.id, stored, detail));
  BALLAST_TRY(stored);
  return Response::json(
      {{"pending_change", change_json(c)},
       {"next", fmt::format("A different platform admin approves it with 'ballast change approve "
                            "{} --totp CODE' (or rejects it with 'ballast change reject {}') "
                            "before {}.",
                            c.id, c.id, core::format_rfc3339(c.expires_at))}},
      202);
}

std::vector<Route> change_routes(const RouteContext& context,
                                 std::shared_ptr<const std::vector<Route>> table) {
  const Desk d{context.platform, context.access, std::move(table)};
  return {
      Route{"GET", "/api/v1/changes", "listChanges",
            "list changes waiting for a second approver (all with ?all=true)",
            Permission::kAuditRead, "", nullptr,
            [d](const Request& r) -> core::Result<Response> {
              BALLAST_TRY(expire_due(d.platform));
              BALLAST_ASSIGN_OR_RETURN(
                  auto rows, d.platform.catalog().changes().list(r.query_value("all") == "true"));
              nlohmann::json out = nlohmann::json::array();
              for (const auto& c : rows) out.push_back(change_json(c));
              return Response::json({{"changes", out}});
            }},
      Route{"GET", "/api/v1/changes/{id}", "getChange", "show a parked change",
            Permission::kAuditRead, "", nullptr,
            [d](const Request& r) -> core::Result<Response> {
              BALLAST_TRY(expire_due(d.platform));
              BALLAST_ASSIGN_OR_RETURN(auto c,
                                       d.platform.catalog().changes().get(r.params.at("id")));
              return Response::json({{"change", change_json(c)}});
            }},
      Route{"POST", "/api/v1/changes/{id}/approve", "approveChange",
            "approve a parked change and run it (not by the holder who asked)", Permission::kAdmin,
            "", reason_schema(), [d](const Request& r) { return approve(d, r); }}
          .requires_second_factor(),
      Route{"POST", "/api/v1/changes/{id}/reject", "rejectChange",
            "reject a parked change; it never runs", Permission::kAdmin, "", reason_schema(),
            [d](const Request& r) { return reject(d, r); }}
          .requires_second_factor(),
  };
}

}  // namespace ballast::api
