// REST routes for access and trust: API tokens, TOTP enrolment, the audit export and the
// master key. Part of the one route table (routes.cpp). Every change here is audited.
#include "api/routes.h"
#include "catalog/master_key.h"
#include "reconcile/tenant_ops.h"
#include "security/audit_export.h"
#include "spec/units.h"

namespace ballast::api {
namespace {

using security::Permission;

const nlohmann::json kTenantName = {{"type", "string"},
                                    {"pattern", "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"}};

nlohmann::json create_schema() {
  std::vector<std::string> roles;
  for (const auto role : security::kAllRoles) roles.emplace_back(security::to_string(role));
  return {{"type", "object"},
          {"required", {"name", "role"}},
          {"additionalProperties", false},
          {"properties",
           {{"name", {{"type", "string"}, {"minLength", 1}, {"maxLength", 64}}},
            {"role", {{"type", "string"}, {"enum", roles}}},
            {"tenants", {{"type", "array"}, {"items", kTenantName}, {"maxItems", 100}}},
            {"expires_in", {{"type", "string"}, {"pattern", "^[0-9]+[a-z]+([0-9]+[a-z]+)*$"}}}}}};
}

nlohmann::json reason_schema() {
  return {{"type", "object"},
          {"additionalProperties", false},
          {"properties", {{"reason", {{"type", "string"}, {"maxLength", 500}}}}}};
}

nlohmann::json code_schema() {
  return {{"type", "object"},
          {"required", {"code"}},
          {"additionalProperties", false},
          {"properties", {{"code", {{"type", "string"}, {"pattern", "^[0-9]{6}$"}}}}}};
}

nlohmann::json rotate_schema() {
  std::vector<std::string> kinds;
  for (const auto kind : reconcile::kAllTenantSecrets) {
    kinds.emplace_back(reconcile::to_string(kind));
  }
  for (const auto kind : app::kPlatformSecretKinds) kinds.emplace_back(kind);
  return {{"type", "object"},
          {"required", {"kind"}},
          {"additionalProperties", false},
          {"properties",
           {{"kind", {{"type", "string"}, {"enum", kinds}}},
            {"tenant", kTenantName},
            {"cluster", kTenantName},
            {"reason", {{"type", "string"}, {"maxLength", 500}}}}}};
}

// What the handlers use; copied into each handler (the RouteContext does not outlive the table).
struct Services {
  app::Platform& platform;
  security::AccessControl* access;
};

core::Result<security::AccessControl*> access_of(const Services& c) {
  if (c.access == nullptr) {
    return core::Error(core::ErrorCode::kUnavailable, "access control is not running here");
  }
  return c.access;
}

// Runs `change`, audits its outcome (who, what, target, detail), returns its result.
core::Result<Response> audited(app::Platform& platform, const Request& r, std::string_view action,
                               const std::string& target, nlohmann::json detail,
                               const std::function<core::Result<Response>()>& change) {
  auto result = change();
  const core::Status outcome =
      result.has_value() ? core::ok() : core::Status(core::Error(result.error()));
  if (r.body.is_object() && r.body.contains("reason")) detail["reason"] = r.body["reason"];
  detail["request_id"] = r.request_id;
  BALLAST_TRY(platform.audit(app::Actor{r.principal.id, r.principal.approved_by}, action, target,
                             outcome, detail));
  return result;
}

core::Result<security::TokenRequest> token_request(const nlohmann::json& body) {
  security::TokenRequest request;
  request.name = body.value("name", "");
  request.role = security::role_from(body.value("role", "")).value_or(security::Role::kAuditor);
  request.tenants = body.value("tenants", std::vector<std::string>{});
  if (body.contains("expires_in")) {
    BALLAST_ASSIGN_OR_RETURN(auto duration,
                             spec::parse_duration(body["expires_in"].get<std::string>()));
    request.expires_in = duration;
  }
  return request;
}

bool is_platform_admin_token(security::AccessControl* access, const std::string& id) {
  if (access == nullptr) return true;
  auto record = access->tokens().get(id);
  return !record.has_value() || record->role == "platform-admin";
}

Route create_token(Services c) {
  return Route{"POST",
               "/api/v1/tokens",
               "createToken",
               "create an API token",
               Permission::kAdmin,
               "",
               create_schema(),
               [c](const Request& r) -> core::Result<Response> {
                 BALLAST_ASSIGN_OR_RETURN(auto* access, access_of(c));
                 BALLAST_ASSIGN_OR_RETURN(auto request, token_request(r.body));
                 auto made = access->tokens().create(request, r.principal.id);
                 const std::string target = made ? "token/" + made->record.id : "token";
                 const auto now = c.platform.clock().now();
                 nlohmann::json detail = {{"name", request.name},
                                          {"role", security::to_string(request.role)},
                                          {"tenants", request.tenants}};
                 return audited(c.platform, r, "token.create", target, detail,
                                [&]() -> core::Result<Response> {
                                  if (!made) return made.error();
                                  return Response::json(
                                      {{"token", security::token_json(made->record, now)},
                                       {"secret", made->token.reveal()}},
                                      201);
                                });
               }}
      .requires_second_factor_when(
          [](const Request& r) { return r.body.value("role", "") == "platform-admin"; },
          "when the new token's role is platform-admin")
      .requires_approval_when(
          "token.create.platform-admin",
          [](const Request& r) { return r.body.value("role", "") == "platform-admin"; },
          "when the new token's role is platform-admin");
}

Route revoke_token(Services c) {
  return Route{"DELETE",
               "/api/v1/tokens/{id}",
               "revokeToken",
               "revoke an API token",
               Permission::kAdmin,
               "",
               reason_schema(),
               [c](const Request& r) -> core::Result<Response> {
                 BALLAST_ASSIGN_OR_RETURN(auto* access, access_of(c));
                 const std::string id = r.params.at("id");
                 return audited(
                     c.platform, r, "token.revoke", "token/" + id, {},
                     [&]() -> core::Result<Response> {
                       BALLAST_TRY(access->tokens().revoke(id, r.principal.id));
                       BALLAST_TRY(access->second_factors().remove("token:" + id));
                       BALLAST_ASSIGN_OR_RETURN(auto record, access->tokens().get(id));
                       return Response::json(
                           {{"token", security::token_json(record, c.platform.clock().now())}});
                     });
               }}
      .requires_second_factor_when(
          [c](const Request& r) { return is_platform_admin_token(c.access, r.params.at("id")); },
          "when the revoked token's role is platform-admin");
}

std::vector<Route> token_routes(Services c) {
  return {
      Route{"GET", "/api/v1/tokens", "listTokens", "list API tokens (never their secrets)",
            Permission::kAuditRead, "", nullptr,
            [c](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(auto* access, access_of(c));
              BALLAST_ASSIGN_OR_RETURN(
                  auto records, access->tokens().list(r.query_value("include_revoked") == "true"));
              nlohmann::json out = nlohmann::json::array();
              for (const auto& t : records) {
                out.push_back(security::token_json(t, c.platform.clock().now()));
              }
              return Response::json({{"tokens", out}});
            }},
      create_token(c),
      Route{"GET", "/api/v1/tokens/{id}", "getToken", "show an API token (never its secret)",
            Permission::kAuditRead, "", nullptr,
            [c](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(auto* access, access_of(c));
              BALLAST_ASSIGN_OR_RETURN(auto record, access->tokens().get(r.params.at("id")));
              return Response::json(
                  {{"token", security::token_json(record, c.platform.clock().now())}});
            }},
      revoke_token(c),
  };
}

core::Result<bool> has_second_factor(const Services& c, const Request& r) {
  BALLAST_ASSIGN_OR_RETURN(auto* access, access_of(c));
  return access->second_factors().is_enrolled(r.principal.id);
}

std::vector<Route> self_routes(Services c) {
  return {
      Route{"GET", "/api/v1/self", "whoAmI", "show the caller's token, role and second factor",
            Permission::kSelf, "", nullptr,
            [c](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(const bool enrolled, has_second_factor(c, r));
              return Response::json({{"principal", r.principal.id},
                                     {"role", security::to_string(r.principal.role)},
                                     {"tenants", r.principal.tenants},
                                     {"second_factor", enrolled ? "totp" : "none"}});
            }},
      Route{"POST", "/api/v1/self/totp", "enrollTotp",
            "enrol a TOTP second factor (shown once; confirm it next)", Permission::kSelf, "",
            nullptr,
            [c](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(auto* access, access_of(c));
              return audited(c.platform, r, "totp.enroll", r.principal.id, {},
                             [&]() -> core::Result<Response> {
                               BALLAST_ASSIGN_OR_RETURN(
                                   auto e, access->second_factors().enroll(
                                               r.principal.id, c.platform.spec().platform.name +
                                                                   "/" + r.principal.id));
                               return Response::json({{"holder", r.principal.id},
                                                      {"secret", e.secret_base32.reveal()},
                                                      {"uri", e.uri.reveal()},
                                                      {"confirmed", false}},
                                                     201);
                             });
            }}
          .requires_second_factor_when(
              [c](const Request& r) { return has_second_factor(c, r).value_or(true); },
              "when the caller already has a confirmed second factor"),
      Route{"POST", "/api/v1/self/totp/confirm", "confirmTotp",
            "confirm a TOTP enrolment with a first code", Permission::kSelf, "", code_schema(),
            [c](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(auto* access, access_of(c));
              return audited(
                  c.platform, r, "totp.confirm", r.principal.id, {},
                  [&]() -> core::Result<Response> {
                    BALLAST_TRY(access->second_factors().confirm(
                        r.principal.id, r.body["code"].get<std::string>()));
                    return Response::json({{"holder", r.principal.id}, {"confirmed", true}});
                  });
            }},
  };
}

std::vector<Route> trust_routes(Services c) {
  return {
      Route{"GET", "/api/v1/audit/export", "exportAudit",
            "export the audit trail as JSON lines with both hashes", Permission::kAuditRead, "",
            nullptr,
            [c](const Request& r) -> core::Result<Response> {
              const auto after = std::atoll(r.query_value("after", "0").c_str());
              std::string text;
              for (std::int64_t next = after;;) {
                BALLAST_ASSIGN_OR_RETURN(auto rows, c.platform.catalog().audit().list(next));
                if (rows.empty()) break;
                for (const auto& e : rows) text += security::export_line(e);
                next = rows.back().seq;
              }
              return Response{200, nullptr, "application/x-ndjson", std::move(text)};
            }},
      Route{"POST", "/api/v1/secrets/master-key/rotate", "rotateMasterKey",
            "re-seal every secret under a new master key", Permission::kAdmin, "", reason_schema(),
            [c](const Request& r) -> core::Result<Response> {
              auto& catalog = c.platform.catalog();
              return audited(c.platform, r, "secret.rotate", "secret/master-key", {},
                             [&]() -> core::Result<Response> {
                               BALLAST_ASSIGN_OR_RETURN(
                                   auto done, catalog::rotate_master_key(catalog.state_dir(),
                                                                         catalog.secrets()));
                               return Response::json({{"old_key_id", done.old_key_id},
                                                      {"new_key_id", done.new_key_id},
                                                      {"secrets", done.secrets}});
                             });
            }}
          .requires_second_factor()
          .requires_approval("master-key.rotate"),
      Route{"POST", "/api/v1/secrets/rotate", "rotateTenantSecret",
            "rotate a generated secret (a tenant's, every tenant's without 'tenant'; a cluster's "
            "admin password; a tenant's backup key) and update what uses it; never answers a "
            "secret",
            Permission::kAdmin, "", rotate_schema(),
            [c](const Request& r) -> core::Result<Response> {
              const std::string name = r.body.value("kind", "");
              const auto kind = reconcile::tenant_secret_from(name);
              if (!kind) {
                BALLAST_ASSIGN_OR_RETURN(
                    auto done, c.platform.secret_rotate_platform(
                                   name, r.body.value("cluster", ""), r.body.value("tenant", ""),
                                   r.body.value("reason", ""),
                                   app::Actor{r.principal.id, r.principal.approved_by}));
                return Response::json(done);
              }
              BALLAST_ASSIGN_OR_RETURN(
                  auto done, c.platform.secret_rotate(
                                 *kind, r.body.value("tenant", ""), r.body.value("reason", ""),
                                 app::Actor{r.principal.id, r.principal.approved_by}));
              return Response::json(done);
            }}
          .requires_second_factor()
          .requires_approval("secret.rotate"),
  };
}

}  // namespace

std::vector<Route> security_routes(const RouteContext& context) {
  const Services services{context.platform, context.access};
  std::vector<Route> routes = self_routes(services);
  for (auto& r : token_routes(services)) routes.push_back(std::move(r));
  for (auto& r : trust_routes(services)) routes.push_back(std::move(r));
  return routes;
}

}  // namespace ballast::api
