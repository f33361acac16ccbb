// The router and the gate: hostile path parameters and bodies are refused with 4xx; the
// checks run in their documented order; privileged routes need a second factor, and refusals
// of changes reach the audit hook.
#include "api/gate.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "api/router.h"

namespace ballast::api {
namespace {

using security::Permission;
using security::Role;

Handler ok_handler() {
  return [](const Request&) -> core::Result<Response> { return Response::json({}); };
}

std::vector<Route> table() {
  nlohmann::json schema = {{"type", "object"},
                           {"required", {"plan"}},
                           {"additionalProperties", false},
                           {"properties", {{"plan", {{"type", "string"}, {"maxLength", 10}}}}}};
  return {
      Route{"GET", "/api/v1/tenants", "listTenants", "list tenants", Permission::kRead, "", nullptr,
            ok_handler()}
          .filtered_by_tenant(),
      Route{"GET", "/api/v1/tenants/{name}", "getTenant", "show a tenant", Permission::kRead,
            "name", nullptr, ok_handler()},
      Route{"PUT", "/api/v1/tenants/{name}/plan", "setPlan", "change a plan", Permission::kOperate,
            "name", schema, ok_handler()},
      Route{"DELETE", "/api/v1/tenants/{name}", "deleteTenant", "delete a tenant",
            Permission::kAdmin, "name", nullptr, ok_handler()}
          .requires_second_factor(),
      Route{"GET", "/api/v1/backups/{id}", "getBackup", "show a backup", Permission::kRead, "",
            nullptr, ok_handler()},
  };
}

class GateTest : public ::testing::Test {
 protected:
  GateTest() : routes_(table()), router_(routes_) {
    gate_.authenticate = [](std::string_view token) -> core::Result<security::Principal> {
      if (token == "admin") return security::Principal{"token:admin", Role::kPlatformAdmin, {}};
      if (token == "auditor") return security::Principal{"token:aud", Role::kAuditor, {}};
      if (token == "acme") return security::Principal{"token:acme", Role::kTenantAdmin, {"acme"}};
      return core::Error(core::ErrorCode::kUnauthenticated, "the bearer token is not valid");
    };
    gate_.verify_second_factor = [](const security::Principal&, std::string_view code) {
      return code == "123456" ? core::ok()
                              : core::Status(core::Error(core::ErrorCode::kSecondFactorRequired,
                                                         "the TOTP code is not valid"));
    };
    gate_.on_refusal = [this](const Refusal& r) {
      refusals_.push_back(std::string(r.route.operation_id) + " " + r.principal.id + " " +
                          std::string(r.error.code_name()));
    };
  }

  core::ErrorCode code(const std::string& method, const std::string& path, const std::string& token,
                       const std::string& body = "", const std::string& totp = "") {
    auto match = router_.match(method, path);
    if (!match.has_value()) return match.error().code();
    RawRequest raw{method, path, match->params, {}, token.empty() ? "" : "Bearer " + token,
                   totp,   body, "rid"};
    auto admitted = admit(gate_, *match->route, raw);
    return admitted.has_value() ? core::ErrorCode::kInternal : admitted.error().code();
  }
  static constexpr core::ErrorCode kAdmitted = core::ErrorCode::kInternal;

  std::vector<Route> routes_;
  Router router_;
  Gate gate_;
  std::vector<std::string> refusals_;
};

TEST_F(GateTest, RefusesHostilePathParameters) {
  for (const std::string& path : std::vector<std::string>{
           "/api/v1/tenants/..", "/api/v1/tenants/.hidden", "/api/v1/tenants/a..b",
           "/api/v1/tenants/acme%0d%0aX-Injected: 1", std::string("/api/v1/tenants/a\r\nX: y"),
           std::string("/api/v1/tenants/a\0b", 18), "/api/v1/tenants/acme';DROP TABLE tenants;--",
           "/api/v1/tenants/ACME", "/api/v1/tenants/" + std::string(300, 'a'),
           "/api/v1/backups/x\"y", "/api/v1/backups/%2e%2e"}) {
    EXPECT_EQ(code("GET", path, "admin"), core::ErrorCode::kInvalidArgument) << path;
  }
  EXPECT_EQ(code("GET", "/api/v1/tenants/a/../../etc/passwd", "admin"), core::ErrorCode::kNotFound);
  EXPECT_EQ(code("GET", "/api/v1/backups/20261122T100000.123Z-ab12", "admin"), kAdmitted);
  EXPECT_EQ(code("POST", "/api/v1/tenants", "admin"), core::ErrorCode::kNotFound);
}

TEST_F(GateTest, ChecksRunInOrder) {
  EXPECT_EQ(code("GET", "/api/v1/tenants/acme", ""), core::ErrorCode::kUnauthenticated);
  EXPECT_EQ(code("GET", "/api/v1/tenants/acme", "nobody"), core::ErrorCode::kUnauthenticated);
  EXPECT_EQ(code("PUT", "/api/v1/tenants/acme/plan", "auditor", "{not json"),
            core::ErrorCode::kPermissionDenied);
  EXPECT_EQ(code("PUT", "/api/v1/tenants/acme/plan", "admin", "{not json"),
            core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(code("PUT", "/api/v1/tenants/acme/plan", "admin", R"({"plan": 7})"),
            core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(code("PUT", "/api/v1/tenants/acme/plan", "admin", R"({"plan": "s", "x": 1})"),
            core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(code("PUT", "/api/v1/tenants/acme/plan", "admin",
                 std::string(100, '[') + std::string(100, ']')),
            core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(code("PUT", "/api/v1/tenants/acme/plan", "admin", R"({"plan": "small"})"), kAdmitted);
  EXPECT_EQ(code("GET", "/api/v1/tenants/acme", "admin", R"({"unexpected": true})"),
            core::ErrorCode::kInvalidArgument);
}

TEST_F(GateTest, TenantAdminsActOnTheirTenantsOnly) {
  EXPECT_EQ(code("GET", "/api/v1/tenants/acme", "acme"), kAdmitted);
  EXPECT_EQ(code("GET", "/api/v1/tenants/lex", "acme"), core::ErrorCode::kPermissionDenied);
  EXPECT_EQ(code("PUT", "/api/v1/tenants/acme/plan", "acme", R"({"plan": "s"})"), kAdmitted);
  EXPECT_EQ(code("PUT", "/api/v1/tenants/lex/plan", "acme", R"({"plan": "s"})"),
            core::ErrorCode::kPermissionDenied);
  EXPECT_EQ(code("GET", "/api/v1/tenants", "acme"), kAdmitted);  // filtered by the handler
  EXPECT_EQ(code("DELETE", "/api/v1/tenants/acme", "acme"), core::ErrorCode::kPermissionDenied);
  EXPECT_EQ(refusals_, (std::vector<std::string>{"setPlan token:acme permission_denied",
                                                 "deleteTenant token:acme permission_denied"}));
}

// A tenant's copies (staging, development) hold the same customer's data: its tenant-admin
// reaches them, and no one else's; a name that merely starts with the tenant's is not a copy.
TEST_F(GateTest, TenantAdminsReachTheirTenantsCopies) {
  gate_.parent_of = [](const std::string& tenant) -> std::string {
    if (tenant == "acme-staging") return "acme";
    if (tenant == "lex-staging") return "lex";
    return "";
  };
  EXPECT_EQ(code("GET", "/api/v1/tenants/acme-staging", "acme"), kAdmitted);
  EXPECT_EQ(code("PUT", "/api/v1/tenants/acme-staging/plan", "acme", R"({"plan": "s"})"),
            kAdmitted);
  EXPECT_EQ(code("GET", "/api/v1/tenants/lex-staging", "acme"), core::ErrorCode::kPermissionDenied);
  EXPECT_EQ(code("GET", "/api/v1/tenants/acme-other", "acme"), core::ErrorCode::kPermissionDenied);
  EXPECT_EQ(code("DELETE", "/api/v1/tenants/acme-staging", "acme"),
            core::ErrorCode::kPermissionDenied);
  gate_.parent_of = nullptr;  // a server that cannot tell: names only
  EXPECT_EQ(code("GET", "/api/v1/tenants/acme-staging", "acme"),
            core::ErrorCode::kPermissionDenied);
}

TEST_F(GateTest, PrivilegedRoutesNeedASecondFactorAndRefusalsAreAudited) {
  EXPECT_EQ(code("DELETE", "/api/v1/tenants/acme", "admin"),
            core::ErrorCode::kSecondFactorRequired);
  EXPECT_EQ(code("DELETE", "/api/v1/tenants/acme", "admin", "", "000000"),
            core::ErrorCode::kSecondFactorRequired);
  EXPECT_EQ(code("DELETE", "/api/v1/tenants/acme", "admin", "", "123456"), kAdmitted);
  EXPECT_EQ(refusals_,
            (std::vector<std::string>{"deleteTenant token:admin second_factor_required",
                                      "deleteTenant token:admin second_factor_required"}));
}

TEST_F(GateTest, RateLimitsPerPresentedToken) {
  int calls = 0;
  gate_.take = [&calls](const std::string& key) {
    ++calls;
    return key == "token:0123456789ab" ? security::RateDecision{false, std::chrono::seconds(1)}
                                       : security::RateDecision{};
  };
  EXPECT_EQ(code("GET", "/api/v1/tenants/acme", "bt_0123456789ab_secret"),
            core::ErrorCode::kRateLimited);
  EXPECT_EQ(code("GET", "/api/v1/tenants/acme", "admin"), kAdmitted);
  EXPECT_EQ(calls, 2);
}

TEST(PrintableTest, EscapesControlCharactersAndShortens) {
  EXPECT_EQ(printable("a\r\nb"), "a\\x0d\\x0ab");
  EXPECT_EQ(printable(std::string(100, 'x'), 4), "xxxx…");
}

}  // namespace
}  // namespace ballast::api

namespace ballast::api {
namespace {

// Only the routes marked for approval, for the requests their rule selects, and only when the
// spec lists the action, are parked; everything else runs its handler.
TEST(DispatchTest, ParksOnlyWhatTheSpecAndTheRouteAskFor) {
  int ran = 0;
  int parked = 0;
  auto handler = [&ran](const Request&) -> core::Result<Response> {
    ++ran;
    return Response::json({{"done", true}});
  };
  const Route deletion = Route{"DELETE",
                               "/api/v1/tenants/{name}",
                               "deleteTenant",
                               "delete",
                               security::Permission::kAdmin,
                               "name",
                               nullptr,
                               handler}
                             .requires_second_factor()
                             .requires_approval("tenant.delete");
  const Route restore =
      Route{"POST",
            "/api/v1/tenants/{name}/restore",
            "restoreTenant",
            "restore",
            security::Permission::kOperate,
            "name",
            nullptr,
            handler}
          .requires_approval_when(
              "restore.in_place", [](const Request& r) { return r.body.value("in_place", false); },
              "for an in-place restore");
  std::vector<std::string> listed = {"tenant.delete", "restore.in_place"};
  Gate gate;
  gate.needs_approval = [&listed](std::string_view action) {
    return std::find(listed.begin(), listed.end(), action) != listed.end();
  };
  gate.park = [&parked](const Route& route, const Request&) -> core::Result<Response> {
    ++parked;
    return Response::json({{"pending_change", {{"action", route.approval.action}}}}, 202);
  };
  Request request;
  request.body = nlohmann::json::object();  // as admitted: routes with a schema get an object
  auto answer = dispatch(gate, deletion, request);
  EXPECT_EQ(answer->status, 202);
  EXPECT_EQ(answer->body["pending_change"]["action"], "tenant.delete");
  EXPECT_EQ(dispatch(gate, restore, request)->status, 200);  // not in place: runs
  request.body = {{"in_place", true}};
  EXPECT_EQ(dispatch(gate, restore, request)->status, 202);
  EXPECT_EQ(parked, 2);
  EXPECT_EQ(ran, 1);
  listed.clear();  // the spec no longer asks for approvals
  EXPECT_EQ(dispatch(gate, deletion, request)->status, 200);
  EXPECT_EQ(ran, 2);
}

}  // namespace
}  // namespace ballast::api
