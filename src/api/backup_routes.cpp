// REST routes for tenant backups and restores. Part of the one route table (routes.cpp).
#include <chrono>
#include <memory>

#include "api/routes.h"

namespace ballast::api {
namespace {

using security::Permission;

app::Actor actor_of(const Request& r) {
  return app::Actor{r.principal.id, r.principal.approved_by};
}

nlohmann::json strings(std::initializer_list<const char*> keys) {
  nlohmann::json properties = nlohmann::json::object();
  for (const char* k : keys) properties[k] = {{"type", "string"}, {"maxLength", 500}};
  return {{"type", "object"}, {"additionalProperties", false}, {"properties", properties}};
}

nlohmann::json restore_schema() {
  auto schema = strings({"to", "as", "confirm", "reason", "repository", "at"});
  schema["properties"]["in_place"] = {{"type", "boolean"}};
  return schema;
}

// Backup progress as JSON lines, at most five a second per phase (and always the last).
backup::ProgressFn progress_to(const ProgressSink& sink) {
  if (!sink) return nullptr;
  struct Last {
    std::string phase;
    std::chrono::steady_clock::time_point at{};
  };
  auto last = std::make_shared<Last>();
  return [sink, last](const backup::Progress& p) {
    const auto now = std::chrono::steady_clock::now();
    const bool finished = p.total > 0 && p.bytes >= p.total;
    if (p.phase == last->phase && now - last->at < std::chrono::milliseconds(200) && !finished)
      return;
    last->phase = p.phase;
    last->at = now;
    sink({{"phase", p.phase}, {"bytes", p.bytes}, {"total", p.total}, {"estimated", p.estimated}});
  };
}

nlohmann::json expire_schema() {
  auto schema = strings({"tenant", "repository"});
  schema["properties"]["dry_run"] = {{"type", "boolean"}};
  return schema;
}

}  // namespace

std::vector<Route> backup_routes(const RouteContext& c) {
  auto& p = c.platform;
  return {
      Route{"POST", "/api/v1/tenants/{name}/backups", "createBackup", "back up a tenant",
            Permission::kOperate, "name", strings({"repository", "reason"}),
            [&p](const Request& r) -> core::Result<Response> {
              return Response::streamed(
                  [&p, tenant = r.params.at("name"), repository = r.body.value("repository", ""),
                   reason = r.body.value("reason", "manual"),
                   actor = actor_of(r)](const ProgressSink& sink) -> core::Result<Response> {
                    BALLAST_ASSIGN_OR_RETURN(auto json, p.backup_create(tenant, repository, reason,
                                                                        actor, progress_to(sink)));
                    return Response::json(json, 201);
                  });
            }},
      Route{"GET", "/api/v1/tenants/{name}/backups", "listBackups", "list a tenant's backups",
            Permission::kRead, "name", nullptr,
            [&p](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(
                  auto json, p.backup_list(r.params.at("name"), r.query_value("repository")));
              return Response::json(json);
            }},
      Route{"GET", "/api/v1/tenants/{name}/backups/{id}", "showBackup",
            "one backup's manifest (id or 'latest')", Permission::kRead, "name", nullptr,
            [&p](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(auto json,
                                       p.backup_show(r.params.at("name"), r.params.at("id"),
                                                     r.query_value("repository")));
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
              app::RestoreRequest request{r.params.at("name"),
                                          r.body.value("to", "latest"),
                                          r.body.value("as", ""),
                                          r.body.value("in_place", false),
                                          r.body.value("confirm", ""),
                                          r.body.value("reason", ""),
                                          r.body.value("repository", ""),
                                          r.body.value("at", "")};
              if (request.in_place && !security::allows(r.principal, Permission::kAdmin)) {
                return core::Error(core::ErrorCode::kPermissionDenied,
                                   "restoring in place needs the admin permission");
              }
              return Response::streamed([&p, request, actor = actor_of(r)](
                                            const ProgressSink& sink) -> core::Result<Response> {
                BALLAST_ASSIGN_OR_RETURN(auto json, p.restore(request, actor, progress_to(sink)));
                return Response::json(json);
              });
            }}
          .requires_second_factor_when(
              [](const Request& r) { return r.body.value("in_place", false); },
              "for an in-place restore")
          .requires_approval_when(
              "restore.in_place", [](const Request& r) { return r.body.value("in_place", false); },
              "for an in-place restore"),
      Route{"POST", "/api/v1/tenants/{name}/backups/{id}/copy", "copyBackup",
            "copy a backup (encrypted, as stored) to another repository", Permission::kOperate,
            "name", strings({"from", "to"}),
            [&p](const Request& r) -> core::Result<Response> {
              return Response::streamed(
                  [&p, tenant = r.params.at("name"), id = r.params.at("id"),
                   from = r.body.value("from", ""), to = r.body.value("to", ""),
                   actor = actor_of(r)](const ProgressSink& sink) -> core::Result<Response> {
                    BALLAST_ASSIGN_OR_RETURN(
                        auto json, p.backup_copy(tenant, id, from, to, actor, progress_to(sink)));
                    return Response::json(json, 201);
                  });
            }},
      Route{"POST", "/api/v1/backups/expire", "expireBackups",
            "apply retention (daily/weekly/monthly) to tenant backups; locked ones stay",
            Permission::kAdmin, "", expire_schema(),
            [&p](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(
                  auto json,
                  p.backup_expire(r.body.value("tenant", ""), r.body.value("repository", ""),
                                  r.body.value("dry_run", false), actor_of(r)));
              return Response::json(json);
            }},
      Route{"GET", "/api/v1/tenants/{name}/recovery-window", "recoveryWindow",
            "the earliest and latest second a point-in-time restore can reach", Permission::kRead,
            "name", nullptr,
            [&p](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(auto json, p.recovery_window(r.params.at("name")));
              return Response::json(json);
            }},
      Route{
          "POST", "/api/v1/clusters/{name}/backups", "createClusterBackup",
          "back up a pool's or stack's PostgreSQL cluster with pgBackRest (full, diff, incr) into "
          "each repository of its policy, or the one named",
          Permission::kOperate, "", strings({"type", "repository"}),
          [&p](const Request& r) -> core::Result<Response> {
            return Response::streamed(
                [&p, name = r.params.at("name"), type = r.body.value("type", "incr"),
                 repository = r.body.value("repository", ""),
                 actor = actor_of(r)](const ProgressSink& sink) -> core::Result<Response> {
                  if (sink) sink({{"phase", "pgbackrest " + type + " backup"}});
                  BALLAST_ASSIGN_OR_RETURN(auto json,
                                           p.cluster_backup(name, type, actor, repository));
                  return Response::json(json, 201);
                });
          }},
      Route{"GET", "/api/v1/clusters/{name}/backups", "listClusterBackups",
            "a cluster's pgBackRest backups and its recovery window", Permission::kRead, "",
            nullptr,
            [&p](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(auto json, p.cluster_backups(r.params.at("name")));
              return Response::json(json);
            }},
  };
}

}  // namespace ballast::api
