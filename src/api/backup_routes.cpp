// REST routes for tenant backups and restores. Part of the one route table (routes.cpp).
#include "api/routes.h"

namespace ballast::api {
namespace {

using security::Permission;

app::Actor actor_of(const Request& r) { return app::Actor{r.principal.id}; }

nlohmann::json strings(std::initializer_list<const char*> keys) {
  nlohmann::json properties = nlohmann::json::object();
  for (const char* k : keys) properties[k] = {{"type", "string"}, {"maxLength", 500}};
  return {{"type", "object"}, {"additionalProperties", false}, {"properties", properties}};
}

nlohmann::json restore_schema() {
  auto schema = strings({"to", "as", "confirm", "reason", "repository"});
  schema["properties"]["in_place"] = {{"type", "boolean"}};
  return schema;
}

}  // namespace

std::vector<Route> backup_routes(const RouteContext& c) {
  auto& p = c.platform;
  return {
      Route{"POST", "/api/v1/tenants/{name}/backups", "createBackup", "back up a tenant",
            Permission::kOperate, "name", strings({"repository", "reason"}),
            [&p](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(
                  auto json, p.backup_create(r.params.at("name"), r.body.value("repository", ""),
                                             r.body.value("reason", "manual"), actor_of(r)));
              return Response::json(json, 201);
            }},
      Route{"GET", "/api/v1/tenants/{name}/backups", "listBackups", "list a tenant's backups",
            Permission::kRead, "name", nullptr,
            [&p](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(
                  auto json, p.backup_list(r.params.at("name"), r.query_value("repository")));
              return Response::json(json);
            }},
      Route{"POST", "/api/v1/tenants/{name}/backups/{id}/verify", "verifyBackup",
            "re-read a backup and check every checksum", Permission::kOperate, "name", nullptr,
            [&p](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(auto json,
                                       p.backup_verify(r.params.at("name"), r.params.at("id"),
                                                       r.query_value("repository"), actor_of(r)));
              return Response::json(json);
            }},
      Route{"POST", "/api/v1/tenants/{name}/restore", "restoreTenant",
            "restore a backup into a new tenant, or in place (admin)", Permission::kOperate, "name",
            restore_schema(),
            [&p](const Request& r) -> core::Result<Response> {
              app::RestoreRequest request{
                  r.params.at("name"),           r.body.value("to", "latest"),
                  r.body.value("as", ""),        r.body.value("in_place", false),
                  r.body.value("confirm", ""),   r.body.value("reason", ""),
                  r.body.value("repository", "")};
              if (request.in_place && !security::allows(r.principal, Permission::kAdmin)) {
                return core::Error(core::ErrorCode::kPermissionDenied,
                                   "restoring in place needs the admin permission");
              }
              BALLAST_ASSIGN_OR_RETURN(auto json, p.restore(request, actor_of(r)));
              return Response::json(json);
            }}
          .requires_second_factor_when(
              [](const Request& r) { return r.body.value("in_place", false); },
              "when in_place is true"),
  };
}

}  // namespace ballast::api
