#include "api/gate.h"

#include "api/router.h"
#include "core/text.h"
#include "security/token_service.h"

namespace ballast::api {
namespace {

core::Result<security::Principal> authenticate(const Gate& gate, const RawRequest& raw) {
  constexpr std::string_view kBearer = "Bearer ";
  if (raw.authorization.compare(0, kBearer.size(), kBearer) != 0) {
    return core::Error(core::ErrorCode::kUnauthenticated, "missing bearer token")
        .with_hint(
            "Send 'Authorization: Bearer <token>'; the CLI reads it from the state "
            "directory.");
  }
  const std::string_view token = std::string_view(raw.authorization).substr(kBearer.size());
  if (gate.take) {
    // Keyed by the presented id before verification, so bad secrets cannot buy hashing work.
    const auto parsed = security::parse_token(token);
    const auto decision = gate.take(parsed ? "token:" + parsed->id : std::string("malformed"));
    if (!decision.is_allowed) {
      return core::make_error(core::ErrorCode::kRateLimited,
                              "too many requests for this token; retry in {} s",
                              decision.retry_after.count())
          .with_hint("Slow down: each token has a request budget that refills every second.");
    }
  }
  if (!gate.authenticate) {
    return core::Error(core::ErrorCode::kUnauthenticated, "this server accepts no tokens");
  }
  return gate.authenticate(token);
}

core::Status check_second_factor(const Gate& gate, const Route& route, const Request& request,
                                 const std::string& code) {
  if (!route.second_factor.is_set() || !route.second_factor.applies(request)) return core::ok();
  if (code.empty()) {
    return core::make_error(core::ErrorCode::kSecondFactorRequired,
                            "'{}' is privileged and needs a TOTP code", route.operation_id)
        .with_hint(
            "Pass --totp CODE (the X-Ballast-TOTP header) from your authenticator app; enrol "
            "with 'ballast token totp enroll' first.");
  }
  if (!gate.verify_second_factor) {
    return core::Error(core::ErrorCode::kSecondFactorRequired,
                       "this server cannot check second factors");
  }
  return gate.verify_second_factor(request.principal, code);
}

core::Error denial(const security::Principal& principal, const Route& route,
                   const std::string& tenant, const std::string& parent) {
  const bool out_of_scope = principal.role == security::Role::kTenantAdmin && !tenant.empty() &&
                            !security::can_see_tenant(principal, tenant, parent);
  if (out_of_scope) {
    return core::make_error(core::ErrorCode::kPermissionDenied,
                            "tenant '{}' is outside this token's scope (tenant-admin of '{}')",
                            tenant, core::join(principal.tenants, "', '"))
        .with_hint("Use a token scoped to that tenant, or ask a platform admin.");
  }
  return core::make_error(core::ErrorCode::kPermissionDenied,
                          "role '{}' may not {} ({} permission needed)",
                          security::to_string(principal.role), route.summary,
                          security::to_string(route.permission))
      .with_hint("Ask a platform admin for a token with that permission.");
}

bool is_auditable(const Route& route, const core::Error& error) {
  if (error.code() == core::ErrorCode::kSecondFactorRequired) return true;
  return error.code() == core::ErrorCode::kPermissionDenied && route.method != "GET";
}

}  // namespace

core::Result<Request> admit(const Gate& gate, const Route& route, RawRequest raw) {
  Request request;
  request.method = std::move(raw.method);
  request.path = std::move(raw.path);
  request.params = std::move(raw.params);
  request.query = std::move(raw.query);
  request.request_id = std::move(raw.request_id);
  if (route.permission == security::Permission::kPublic) {
    request.principal = security::Principal{"anonymous", security::Role::kAuditor, {}};
    BALLAST_ASSIGN_OR_RETURN(request.body, parse_body(route, raw.body));
    return request;
  }
  BALLAST_ASSIGN_OR_RETURN(request.principal, authenticate(gate, raw));
  std::string tenant;
  if (!route.tenant_param.empty()) {
    auto it = request.params.find(std::string(route.tenant_param));
    if (it != request.params.end()) tenant = it->second;
  }
  auto refuse = [&](core::Error error) -> core::Error {
    if (gate.on_refusal && is_auditable(route, error)) {
      gate.on_refusal(
          Refusal{route, request.principal, request.path, tenant, request.request_id, error});
    }
    return error;
  };
  const bool listing = route.is_tenant_filtered &&
                       request.principal.role == security::Role::kTenantAdmin &&
                       route.permission == security::Permission::kRead;
  const std::string parent =
      !tenant.empty() && gate.parent_of && request.principal.role == security::Role::kTenantAdmin
          ? gate.parent_of(tenant)
          : "";
  if (!listing && !security::allows(request.principal, route.permission, tenant, parent)) {
    return refuse(denial(request.principal, route, tenant, parent));
  }
  BALLAST_ASSIGN_OR_RETURN(request.body, parse_body(route, raw.body));
  auto second = check_second_factor(gate, route, request, raw.second_factor);
  if (!second.has_value()) return refuse(std::move(second).error());
  return request;
}

bool needs_approval(const Gate& gate, const Route& route, const Request& request) {
  if (!route.approval.is_set() || !gate.needs_approval || !gate.park) return false;
  if (route.approval.applies && !route.approval.applies(request)) return false;
  return gate.needs_approval(route.approval.action);
}

core::Result<Response> dispatch(const Gate& gate, const Route& route, const Request& request) {
  if (needs_approval(gate, route, request)) return gate.park(route, request);
  return route.handler(request);
}

}  // namespace ballast::api
