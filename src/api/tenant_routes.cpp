// REST routes for tenants and apply. Part of the one route table (routes.cpp).
#include <charconv>
#include <limits>

#include "api/routes.h"
#include "spec/loader.h"

namespace ballast::api {
namespace {

using security::Permission;

app::Actor actor_of(const Request& r) {
  return app::Actor{r.principal.id, r.principal.approved_by};
}

Response ok(nlohmann::json body, int status = 200) {
  return Response::json(std::move(body), status);
}

const nlohmann::json kNamePattern = {{"type", "string"},
                                     {"pattern", "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"}};
const nlohmann::json kDomain = {
    {"type", "string"}, {"maxLength", 253}, {"pattern", "^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$"}};

nlohmann::json create_schema() {
  return {{"type", "object"},
          {"required", {"name", "plan"}},
          {"additionalProperties", false},
          {"properties",
           {{"name", kNamePattern},
            {"tier", {{"type", "string"}, {"enum", {"shared", "dedicated"}}}},
            {"pool", kNamePattern},
            {"stack", kNamePattern},
            {"plan", kNamePattern},
            {"domains", {{"type", "array"}, {"items", kDomain}, {"maxItems", 50}}}}}};
}

nlohmann::json object_with(const char* key, nlohmann::json schema) {
  return {{"type", "object"},
          {"required", {key}},
          {"additionalProperties", false},
          {"properties", {{key, std::move(schema)}}}};
}

// A whole number in [low, high] from a path or query parameter; kInvalidArgument naming it.
core::Result<std::int64_t> number_in(const std::string& text, std::string_view what,
                                     std::int64_t low, std::int64_t high) {
  std::int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < low || value > high) {
    return core::make_error(core::ErrorCode::kInvalidArgument,
                            "{} '{}' is not a number from {} to {}", what, text, low, high);
  }
  return value;
}

nlohmann::json environment_schema() {
  nlohmann::json properties = {
      {"name", kNamePattern},
      {"kind", {{"type", "string"}, {"enum", {"staging", "development"}}}},
      {"domains", {{"type", "array"}, {"items", kDomain}, {"maxItems", 20}}}};
  return {{"type", "object"}, {"additionalProperties", false}, {"properties", properties}};
}

nlohmann::json upgrade_schema() {
  nlohmann::json module = {{"type", "string"}, {"pattern", "^[a-z0-9_]{1,64}$"}};
  nlohmann::json properties = {
      {"modules", {{"type", "array"}, {"items", module}, {"maxItems", 200}}},
      {"no_backup", {{"type", "boolean"}}}};
  return {{"type", "object"}, {"additionalProperties", false}, {"properties", properties}};
}

nlohmann::json import_schema() {
  nlohmann::json schema = create_schema();
  schema["properties"]["file"] = {{"type", "string"},
                                  {"pattern", "^[A-Za-z0-9_@-][A-Za-z0-9_.@-]{0,199}$"}};
  schema["required"] = {"name", "plan", "file"};
  return schema;
}

nlohmann::json delete_schema() {
  nlohmann::json schema = object_with("confirm", {{"type", "string"}, {"maxLength", 63}});
  schema["properties"]["reason"] = {{"type", "string"}, {"maxLength", 500}};
  return schema;
}

nlohmann::json apply_schema() {
  nlohmann::json properties = {{"spec_yaml", {{"type", "string"}, {"maxLength", 1048576}}},
                               {"file", {{"type", "string"}, {"maxLength", 4096}}},
                               {"allow_delete", {{"type", "boolean"}}}};
  return {{"type", "object"}, {"additionalProperties", false}, {"properties", properties}};
}

}  // namespace

std::vector<Route> tenant_routes(const RouteContext& c) {
  auto& p = c.platform;
  return {
      Route{"GET", "/api/v1/tenants", "listTenants", "list tenants", Permission::kRead, "", nullptr,
            [&p](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(auto json, p.tenant_list());
              auto& tenants = json["tenants"];
              tenants.erase(std::remove_if(tenants.begin(), tenants.end(),
                                           [&r](const nlohmann::json& t) {
                                             return !security::can_see_tenant(
                                                 r.principal, t.value("name", ""),
                                                 t.value("parent", ""));
                                           }),
                            tenants.end());
              return ok(json);
            }}
          .filtered_by_tenant(),
      Route{"POST", "/api/v1/tenants", "createTenant", "create a tenant", Permission::kOperate, "",
            create_schema(),
            [&p](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(auto json, p.tenant_create(r.body, actor_of(r)));
              return ok(json, 201);
            }},
      Route{"GET", "/api/v1/tenants/{name}", "getTenant", "show a tenant", Permission::kRead,
            "name", nullptr,
            [&p](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(auto json, p.tenant_show(r.params.at("name")));
              return ok(json);
            }},
      Route{"POST", "/api/v1/tenants/{name}/suspend", "suspendTenant", "suspend a tenant",
            Permission::kOperate, "name", nullptr,
            [&p](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(auto json,
                                       p.tenant_suspend(r.params.at("name"), actor_of(r)));
              return ok(json);
            }},
      Route{"POST", "/api/v1/tenants/{name}/resume", "resumeTenant", "resume a tenant",
            Permission::kOperate, "name", nullptr,
            [&p](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(auto json,
                                       p.tenant_resume(r.params.at("name"), actor_of(r)));
              return ok(json);
            }},
      Route{"PUT", "/api/v1/tenants/{name}/plan", "setTenantPlan", "change a tenant's plan",
            Permission::kOperate, "name", object_with("plan", kNamePattern),
            [&p](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(
                  auto json, p.tenant_set_plan(r.params.at("name"), r.body["plan"], actor_of(r)));
              return ok(json);
            }},
      Route{"POST", "/api/v1/tenants/{name}/domains", "addTenantDomain", "add a domain to a tenant",
            Permission::kOperate, "name", object_with("domain", kDomain),
            [&p](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(
                  auto json,
                  p.tenant_add_domain(r.params.at("name"), r.body["domain"], actor_of(r)));
              return ok(json);
            }},
      Route{"DELETE", "/api/v1/tenants/{name}/domains/{domain}", "removeTenantDomain",
            "remove a domain from a tenant", Permission::kOperate, "name", nullptr,
            [&p](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(
                  auto json,
                  p.tenant_remove_domain(r.params.at("name"), r.params.at("domain"), actor_of(r)));
              return ok(json);
            }},
      Route{"DELETE", "/api/v1/tenants/{name}", "deleteTenant",
            "delete a tenant (its data goes to the trash)", Permission::kAdmin, "name",
            delete_schema(),
            [&p](const Request& r) -> core::Result<Response> {
              const app::DeleteRequest request{r.body.value("confirm", ""),
                                               r.body.value("reason", "")};
              BALLAST_ASSIGN_OR_RETURN(auto json,
                                       p.tenant_delete(r.params.at("name"), request, actor_of(r)));
              return ok(json);
            }}
          .requires_second_factor()
          .requires_approval("tenant.delete"),
      Route{"POST", "/api/v1/tenants/{name}/environments", "createEnvironment",
            "create a neutralized copy of a tenant", Permission::kOperate, "name",
            environment_schema(),
            [&p](const Request& r) -> core::Result<Response> {
              const auto kind = r.body.value("kind", "staging") == "development"
                                    ? spec::EnvironmentKind::kDevelopment
                                    : spec::EnvironmentKind::kStaging;
              std::vector<std::string> domains;
              if (r.body.contains("domains"))
                domains = r.body["domains"].get<std::vector<std::string>>();
              BALLAST_ASSIGN_OR_RETURN(
                  auto json,
                  p.environment_create(r.params.at("name"),
                                       r.body.value("name", std::string(spec::to_string(kind))),
                                       kind, domains, actor_of(r)));
              return ok(json, 201);
            }},
      Route{"GET", "/api/v1/tenants/{name}/mail", "listCaughtMail",
            "mail a copy sent to the platform's catcher, newest first (limit: 1-500, default 50)",
            Permission::kRead, "name", nullptr,
            [&p](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(const auto limit,
                                       number_in(r.query_value("limit", "50"), "limit", 1, 500));
              BALLAST_ASSIGN_OR_RETURN(
                  auto json, p.mail_list(r.params.at("name"), static_cast<std::size_t>(limit)));
              return ok(json);
            }},
      Route{"GET", "/api/v1/tenants/{name}/mail/{id}", "showCaughtMail",
            "one caught message with its text", Permission::kRead, "name", nullptr,
            [&p](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(const auto id,
                                       number_in(r.params.at("id"), "message id", 1,
                                                 std::numeric_limits<std::int64_t>::max()));
              BALLAST_ASSIGN_OR_RETURN(auto json, p.mail_show(r.params.at("name"), id));
              return ok(json);
            }},
      Route{"DELETE", "/api/v1/tenants/{name}/mail", "clearCaughtMail",
            "forget a copy's caught mail (confirm: the tenant's name)", Permission::kOperate,
            "name", object_with("confirm", {{"type", "string"}, {"maxLength", 63}}),
            [&p](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(
                  auto json,
                  p.mail_clear(r.params.at("name"), r.body.value("confirm", ""), actor_of(r)));
              return ok(json);
            }},
      Route{"POST", "/api/v1/tenants/{name}/upgrade", "upgradeTenant",
            "upgrade a tenant's modules (backup first, rollback on failure)", Permission::kOperate,
            "name", upgrade_schema(),
            [&p](const Request& r) -> core::Result<Response> {
              std::vector<std::string> modules;
              if (r.body.contains("modules"))
                modules = r.body["modules"].get<std::vector<std::string>>();
              BALLAST_ASSIGN_OR_RETURN(
                  auto json, p.tenant_upgrade(r.params.at("name"), modules,
                                              r.body.value("no_backup", false), actor_of(r)));
              return ok(json);
            }},
      Route{"POST", "/api/v1/tenants/{name}/export", "exportTenant",
            "export a tenant as Odoo's backup zip (into the state directory's exports/)",
            Permission::kOperate, "name", nullptr,
            [&p](const Request& r) -> core::Result<Response> {
              BALLAST_ASSIGN_OR_RETURN(auto json,
                                       p.tenant_export(r.params.at("name"), actor_of(r)));
              return ok(json);
            }},
      Route{"POST", "/api/v1/tenant-imports", "importTenant",
            "create a tenant from an Odoo backup zip placed in the state directory's imports/",
            Permission::kOperate, "", import_schema(),
            [&p](const Request& r) -> core::Result<Response> {
              nlohmann::json placement = r.body;
              placement.erase("file");
              placement.erase("name");
              BALLAST_ASSIGN_OR_RETURN(auto json, p.tenant_import(r.body["name"], r.body["file"],
                                                                  placement, actor_of(r)));
              return ok(json, 201);
            }},
      Route{"POST", "/api/v1/apply", "apply", "apply a spec to the platform", Permission::kOperate,
            "", apply_schema(),
            [&p](const Request& r) -> core::Result<Response> {
              reconcile::ApplyOptions options{r.body.value("allow_delete", false)};
              std::optional<spec::Spec> next;
              if (r.body.contains("spec_yaml")) {
                BALLAST_ASSIGN_OR_RETURN(next, spec::parse(r.body["spec_yaml"].get<std::string>(),
                                                           r.body.value("file", "ballast.yaml")));
              }
              BALLAST_ASSIGN_OR_RETURN(auto report,
                                       p.apply(next ? &*next : nullptr, options, actor_of(r)));
              return ok(reconcile::to_json(report), report.is_ok() ? 200 : 500);
            }},
  };
}

}  // namespace ballast::api
