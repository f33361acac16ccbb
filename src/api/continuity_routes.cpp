// REST routes for continuity evidence: restore drills and their report, synthetic journeys,
// billing-cycle readiness, and /metrics for Prometheus. Part of the one route table.
#include <chrono>
#include <memory>

#include "api/routes.h"
#include "drill/report.h"

namespace ballast::api {
namespace {

using security::Permission;

nlohmann::json drill_schema() {
  return {{"type", "object"},
          {"additionalProperties", false},
          {"properties", {{"target", {{"type", "string"}, {"maxLength", 64}}}}}};
}

}  // namespace

std::vector<Route> continuity_routes(const RouteContext& c) {
  auto& p = c.platform;
  return {
      Route{
          "POST", "/api/v1/tenants/{name}/drills", "runDrill",
          "run a restore drill (target: latest, random or an RFC 3339 time)", Permission::kOperate,
          "name", drill_schema(),
          [&p](const Request& r) -> core::Result<Response> {
            return Response::streamed(
                [&p,
                 request = app::DrillRequest{r.params.at("name"), r.body.value("target", "latest")},
                 actor = app::Actor{r.principal.id, r.principal.approved_by}](
                    const ProgressSink& sink) -> core::Result<Response> {
                  backup::ProgressFn progress;
                  if (sink) {
                    progress = [sink](const backup::Progress& step) {
                      sink({{"phase", step.phase}, {"bytes", 0}, {"total", 0}});
                    };
                  }
                  BALLAST_ASSIGN_OR_RETURN(auto json, p.drill_run(request, actor, progress));
                  return Response::json(json, 201);
                });
          }},
      Route{"GET", "/api/v1/tenants/{name}/drills", "drillReport",
            "a tenant's drill history (format=html: the report page)", Permission::kRead, "name",
            nullptr,
            [&p](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(auto history, p.drill_history(r.params.at("name")));
              if (r.query_value("format") == "html") {
                Response html;
                html.content_type = "text/html; charset=utf-8";
                html.raw = drill::report_html(history);
                return html;
              }
              return Response::json(drill::report_json(history));
            }},
      Route{"POST", "/api/v1/tenants/{name}/journeys", "runJourneys",
            "run the synthetic journeys through the proxy now", Permission::kOperate, "name",
            nullptr,
            [&p](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(auto json, p.journeys_run(r.params.at("name")));
              return Response::json(json);
            }},
      Route{"GET", "/api/v1/tenants/{name}/readiness", "tenantReadiness",
            "billing-cycle readiness of a tenant, with reasons", Permission::kRead, "name", nullptr,
            [&p](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(auto json, p.readiness(r.params.at("name")));
              return Response::json(json);
            }},
      Route{"GET", "/api/v1/readiness", "readiness", "billing-cycle readiness of every tenant",
            Permission::kRead, "", nullptr,
            [&p](const Request&) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(auto json, p.readiness(""));
              return Response::json(json);
            }},
      Route{"GET", "/metrics", "metrics", "Prometheus metrics (text exposition format 0.0.4)",
            Permission::kRead, "", nullptr,
            [&p](const Request&) -> core::Result<Response> {
              Response text;
              text.content_type = "text/plain; version=0.0.4; charset=utf-8";
              BALLAST_ASSIGN_OR_RETURN(text.raw, p.metrics());
              return text;
            }},
  };
}

}  // namespace ballast::api
