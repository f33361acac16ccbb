#include "api/routes.h"

#include "api/openapi.h"
#include "core/clock.h"
#include "spec/loader.h"

namespace ballast::api {
namespace {

using security::Permission;

app::Actor actor_of(const Request& request) {
  return app::Actor{request.principal.id, request.principal.approved_by};
}

nlohmann::json spec_body_schema() {
  nlohmann::json properties = {{"spec_yaml", {{"type", "string"}, {"maxLength", 1048576}}},
                               {"file", {{"type", "string"}, {"maxLength", 4096}}}};
  return {{"type", "object"},
          {"required", {"spec_yaml"}},
          {"additionalProperties", false},
          {"properties", properties}};
}

nlohmann::json audit_json(const catalog::AuditEntry& e) {
  return {{"seq", e.seq},
          {"at", core::format_rfc3339_ms(e.at)},
          {"actor", e.actor},
          {"action", e.action},
          {"target", e.target},
          {"outcome", e.outcome},
          {"detail", nlohmann::json::parse(e.detail, nullptr, false)},
          {"hash", e.hash}};
}

std::vector<Route> platform_routes(const RouteContext& c) {
  auto& platform = c.platform;
  return {
      Route{"GET", "/healthz", "healthz", "check the daemon is alive", Permission::kPublic, "",
            nullptr,
            [](const Request&) -> core::Result<Response> {
              return Response::json({{"status", "ok"}});
            }},
      Route{"GET", "/api/v1/status", "getStatus", "read the platform status", Permission::kRead, "",
            nullptr,
            [&platform, version = c.version](const Request&) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(auto status, platform.status());
              status["version"] = version;
              status["daemon"] = "running";
              return Response::json(status);
            }},
      Route{"GET", "/api/v1/plan", "getPlan", "show what apply would change", Permission::kRead, "",
            nullptr,
            [&platform](const Request&) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(auto plan, platform.plan());
              return Response::json(reconcile::to_json(plan));
            }},
      Route{"POST", "/api/v1/plan", "planSpec", "show what applying a spec would change",
            Permission::kRead, "", spec_body_schema(),
            [&platform](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(
                  auto next,
                  spec::parse(r.body.value("spec_yaml", ""), r.body.value("file", "ballast.yaml")));
              BALLAST_ASSIGN_OR_RETURN(auto plan, platform.plan_for(next));
              return Response::json(reconcile::to_json(plan));
            }},
      Route{"POST", "/api/v1/shutdown", "shutdown", "stop the daemon", Permission::kAdmin, "",
            nullptr,
            [&platform, stop = c.request_shutdown](const Request& r) -> core::Result<Response> {
              BALLAST_TRY(platform.audit(actor_of(r), "daemon.shutdown", "platform", core::ok()));
              stop();
              return Response::json({{"stopping", true}}, 202);
            }}
          .requires_second_factor()
          .requires_approval("shutdown"),
      Route{"GET", "/api/v1/events", "listEvents", "list events", Permission::kRead, "", nullptr,
            [&platform](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(auto events,
                                       platform.catalog().events().list(r.query_value("subject")));
              nlohmann::json out = nlohmann::json::array();
              for (const auto& e : events) {
                out.push_back(
                    {{"id", e.id},
                     {"at", core::format_rfc3339_ms(e.at)},
                     {"level", e.level == catalog::EventLevel::kWarning ? "warning" : "normal"},
                     {"subject", e.subject},
                     {"reason", e.reason},
                     {"message", e.message}});
              }
              return Response::json({{"events", out}});
            }},
  };
}

std::vector<Route> audit_routes(const RouteContext& c) {
  auto& platform = c.platform;
  return {
      Route{"GET", "/api/v1/audit", "listAudit", "read the audit trail", Permission::kAuditRead, "",
            nullptr,
            [&platform](const Request& r) -> core::Result<Response> {
              const auto after = std::atoll(r.query_value("after", "0").c_str());
              BALLAST_ASSIGN_OR_RETURN(auto rows, platform.catalog().audit().list(after));
              nlohmann::json out = nlohmann::json::array();
              for (const auto& e : rows) out.push_back(audit_json(e));
              return Response::json({{"entries", out}});
            }},
      Route{"GET", "/api/v1/audit/verify", "verifyAudit", "verify the audit chain",
            Permission::kAuditRead, "", nullptr,
            [&platform](const Request&) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(auto report, platform.catalog().audit().verify());
              return Response::json({{"rows", report.rows},
                                     {"intact", report.is_intact},
                                     {"problems", report.problems}});
            }},
  };
}

}  // namespace

std::vector<Route> build_routes(RouteContext context) {
  std::vector<Route> routes = platform_routes(context);
  for (auto& r : audit_routes(context)) routes.push_back(std::move(r));
  for (auto& r : tenant_routes(context)) routes.push_back(std::move(r));
  for (auto& r : backup_routes(context)) routes.push_back(std::move(r));
  for (auto& r : security_routes(context)) routes.push_back(std::move(r));
  for (auto& r : continuity_routes(context)) routes.push_back(std::move(r));
  // Approving a parked change runs the handler of its route from this copy of the table.
  auto table = std::make_shared<const std::vector<Route>>(routes);
  for (auto& r : change_routes(context, table)) routes.push_back(std::move(r));
  // The document describes the table it is part of, including itself.
  auto shared = std::make_shared<nlohmann::json>();
  routes.push_back(Route{
      "GET", "/api/v1/openapi.json", "getOpenApi", "read this API's OpenAPI document",
      Permission::kPublic, "", nullptr,
      [shared](const Request&) -> core::Result<Response> { return Response::json(*shared); }});
  *shared = openapi(routes, context.version);
  return routes;
}

}  // namespace ballast::api
