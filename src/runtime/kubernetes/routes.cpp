// A tenant's Traefik routes: HTTPS IngressRoute (/websocket to the gevent Service, the rest to
// the web Service, /web/database/ denied), the HTTP → HTTPS redirect, and the Middlewares.
#include <algorithm>

#include <fmt/format.h>

#include "runtime/kubernetes/names.h"
#include "runtime/kubernetes/objects.h"
#include "runtime/kubernetes/parts.h"

namespace ballast::runtime::kubernetes {
namespace {

constexpr std::int64_t kStsSeconds = 31536000;  // one year

struct RouteNames {
  std::string rate_limit;
  std::string headers;
  std::string https;
  std::string deny;
};

RouteNames route_names(std::string_view tenant) {
  return {names::fit(tenant, "rate-limit"), names::fit(tenant, "headers"),
          names::fit(tenant, "https"), names::fit(tenant, "deny")};
}

std::string hosts_rule(const std::vector<std::string>& domains) {
  std::string rule;
  for (const auto& domain : domains) {
    if (!rule.empty()) rule += " || ";
    rule += fmt::format("Host(`{}`)", domain);
  }
  return domains.size() > 1 ? "(" + rule + ")" : rule;
}

Json middleware_refs(std::initializer_list<std::string_view> names) {
  Json refs = Json::array();
  for (const auto name : names) refs.push_back({{"name", name}});
  return refs;
}

Json route(std::string match, std::int64_t priority, Json middlewares, Json service) {
  Json r = {{"kind", "Rule"}, {"match", std::move(match)}, {"priority", priority}};
  if (!middlewares.empty()) r["middlewares"] = std::move(middlewares);
  r["services"] = Json::array({std::move(service)});
  return r;
}

Json web_service(const TenantNames& names, bool is_sticky) {
  Json service = {{"name", names.web_service}, {"port", "http"}};
  // Sessions are shared (on the file store), so stickiness is not needed for correctness; it
  // spares a user the file store's attribute-cache delay right after logging in.
  if (is_sticky) {
    service["sticky"] = {
        {"cookie",
         {{"name", "ballast_route"}, {"secure", true}, {"httpOnly", true}, {"sameSite", "lax"}}}};
  }
  return service;
}

Json websocket_service(const TenantNames& names) {
  return {{"name", names.websocket_service}, {"port", "websocket"}};
}

Json https_route(const Scope& scope, const TenantEnvironment& tenant) {
  const TenantNames names = tenant_names(tenant.tenant->name);
  const RouteNames mw = route_names(tenant.tenant->name);
  const std::string hosts = hosts_rule(tenant.domains);
  Json ingress = make_object("traefik.io/v1alpha1", "IngressRoute", tenant.tenant->name, scope,
                             tenant_labels(scope, tenant));
  ingress["spec"] = {
      {"entryPoints", Json::array({"websecure"})},
      {"routes", Json::array({route(hosts + " && PathPrefix(`/web/database`)", 300,
                                    middleware_refs({mw.deny}), web_service(names, false)),
                              route(hosts + " && PathPrefix(`/websocket`)", 200,
                                    middleware_refs({mw.headers}), websocket_service(names)),
                              route(hosts, 100, middleware_refs({mw.rate_limit, mw.headers}),
                                    web_service(names, true))})}};
  if (scope.options.tls_cert_resolver.empty()) {
    ingress["spec"]["tls"] = {{"secretName", names.tls_secret}};
  } else {
    ingress["spec"]["tls"] = {{"certResolver", scope.options.tls_cert_resolver}};
  }
  return ingress;
}

// Plain HTTP only redirects; the /websocket route is kept so every route of the tenant sends
// websockets to the gevent Service, even before the redirect.
Json http_route(const Scope& scope, const TenantEnvironment& tenant) {
  const TenantNames names = tenant_names(tenant.tenant->name);
  const RouteNames mw = route_names(tenant.tenant->name);
  const std::string hosts = hosts_rule(tenant.domains);
  Json ingress =
      make_object("traefik.io/v1alpha1", "IngressRoute", names::fit(tenant.tenant->name, "http"),
                  scope, tenant_labels(scope, tenant));
  ingress["spec"] = {
      {"entryPoints", Json::array({"web"})},
      {"routes",
       Json::array({route(hosts + " && PathPrefix(`/websocket`)", 200, middleware_refs({mw.https}),
                          websocket_service(names)),
                    route(hosts, 100, middleware_refs({mw.https}), web_service(names, false))})}};
  return ingress;
}

std::vector<Json> middlewares(const Scope& scope, const TenantEnvironment& tenant) {
  const RouteNames mw = route_names(tenant.tenant->name);
  const Json labels = tenant_labels(scope, tenant);
  const spec::Rate& rate = tenant.plan->request_rate;
  const std::int64_t average = rate.count > 0 ? rate.count : 50;
  Json limit = make_object("traefik.io/v1alpha1", "Middleware", mw.rate_limit, scope, labels);
  limit["spec"] = {{"rateLimit",
                    {{"average", average},
                     {"period", fmt::format("{}s", std::max<std::int64_t>(1, rate.per.count()))},
                     {"burst", std::max<std::int64_t>(10, average * 2)}}}};
  Json headers = make_object("traefik.io/v1alpha1", "Middleware", mw.headers, scope, labels);
  headers["spec"] = {{"headers",
                      {{"stsSeconds", kStsSeconds},
                       {"stsIncludeSubdomains", true},
                       {"contentTypeNosniff", true},
                       {"customFrameOptionsValue", "SAMEORIGIN"},
                       {"referrerPolicy", "strict-origin-when-cross-origin"}}}};
  Json https = make_object("traefik.io/v1alpha1", "Middleware", mw.https, scope, labels);
  https["spec"] = {{"redirectScheme", {{"scheme", "https"}, {"permanent", true}}}};
  // Odoo's database manager is off (list_db = False); the proxy refuses it as well.
  Json deny = make_object("traefik.io/v1alpha1", "Middleware", mw.deny, scope, labels);
  deny["spec"] = {
      {"ipAllowList", {{"sourceRange", Json::array({"127.0.0.1/32"})}, {"rejectStatusCode", 403}}}};
  return {limit, headers, https, deny};
}

}  // namespace

std::vector<Json> route_objects(const Scope& scope, const TenantEnvironment& tenant) {
  std::vector<Json> objects;
  if (tenant.domains.empty()) return objects;
  objects.push_back(https_route(scope, tenant));
  objects.push_back(http_route(scope, tenant));
  for (auto& mw : middlewares(scope, tenant)) objects.push_back(std::move(mw));
  return objects;
}

}  // namespace ballast::runtime::kubernetes
