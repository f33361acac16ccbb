#include "api/openapi.h"

#include "core/error.h"

namespace ballast::api {
namespace {

nlohmann::json error_schema() {
  std::vector<std::string> codes;
  for (const auto& c : core::kErrorCodes) codes.emplace_back(c.name);
  return {{"type", "object"},
          {"required", {"error"}},
          {"properties",
           {{"error",
             {{"type", "object"},
              {"required", {"code", "message"}},
              {"properties",
               {{"code", {{"type", "string"}, {"enum", codes}}},
                {"message", {{"type", "string"}}},
                {"hint", {{"type", "string"}}},
                {"request_id", {{"type", "string"}}}}}}}}}};
}

nlohmann::json operation(const Route& route) {
  nlohmann::json op = {{"operationId", route.operation_id},
                       {"summary", route.summary},
                       {"x-permission", security::to_string(route.permission)}};
  std::vector<std::string> names;
  route_regex(route.pattern, names);
  nlohmann::json parameters = nlohmann::json::array();
  for (const auto& name : names) {
    parameters.push_back(
        {{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
  }
  if (!parameters.empty()) op["parameters"] = parameters;
  if (route.permission != security::Permission::kPublic) {
    op["security"] = nlohmann::json::array({{{"bearer", nlohmann::json::array()}}});
  } else {
    op["security"] = nlohmann::json::array();
  }
  if (!route.request_schema.is_null()) {
    op["requestBody"] = {{"required", true},
                         {"content", {{"application/json", {{"schema", route.request_schema}}}}}};
  }
  const nlohmann::json error_ref = {
      {"description", "Error"},
      {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
  op["responses"] = {{"200", {{"description", "OK"}}}, {"default", error_ref}};
  if (route.permission != security::Permission::kPublic) {
    op["responses"]["401"] = {{"description", "No valid token"}};
    op["responses"]["403"] = {{"description", "The token's role lacks the permission"}};
    op["responses"]["429"] = {{"description", "The token's request budget is spent"}};
  }
  if (route.second_factor.is_set()) {
    op["x-second-factor"] = route.second_factor.condition;
    op["parameters"].push_back(
        {{"name", "X-Ballast-TOTP"},
         {"in", "header"},
         {"required", route.second_factor.condition == "always"},
         {"description", "A current TOTP code; needed " + route.second_factor.condition},
         {"schema", {{"type", "string"}, {"pattern", "^[0-9]{6}$"}}}});
  }
  if (route.approval.is_set()) {
    op["x-approval"] = {{"action", route.approval.action},
                        {"when", route.approval.condition},
                        {"description",
                         "When security.approvals in the spec lists the action, the request is "
                         "parked (202, a pending change) until a different holder approves it: "
                         "POST /api/v1/changes/{id}/approve."}};
    op["responses"]["202"] = {{"description", "Parked as a pending change for a second approver"}};
  }
  if (route.is_tenant_filtered) op["x-tenant-filtered"] = true;
  return op;
}

}  // namespace

nlohmann::json openapi(const std::vector<Route>& routes, std::string_view version) {
  nlohmann::json paths = nlohmann::json::object();
  for (const auto& route : routes) {
    std::string method(route.method);
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[std::string(route.pattern)][method] = operation(route);
  }
  return {{"openapi", "3.0.3"},
          {"info",
           {{"title", "Ballast API"},
            {"version", version},
            {"description",
             "The REST API of the Ballast daemon. Every route states the permission it needs "
             "(x-permission); errors use the codes of docs/errors.md."}}},
          {"paths", paths},
          {"components",
           {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}},
            {"schemas", {{"Error", error_schema()}}}}}};
}

}  // namespace ballast::api
