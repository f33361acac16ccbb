// The units of the tree: a tenant, a site (pool or stack), each split into files by concern.
#include "runtime/kubernetes/layout.h"
#include "runtime/kubernetes/parts.h"

namespace ballast::runtime::kubernetes {
namespace {

void add_all(std::vector<Manifest>& out, std::string_view file, std::vector<Json> objects) {
  for (auto& object : objects) out.push_back({std::string(file), std::move(object)});
}

}  // namespace

std::vector<Manifest> render_tenant(const Scope& scope, const TenantEnvironment& tenant) {
  std::vector<Manifest> out;
  add_all(out, "odoo.yaml", odoo_objects(scope, tenant));
  add_all(out, "routes.yaml", route_objects(scope, tenant));
  out.push_back({"database.yaml", database_object(scope, tenant)});
  add_all(out, "jobs.yaml", job_objects(scope, tenant));
  // Alerts watch production; a copy's failures page nobody.
  if (tenant.is_production) out.push_back({"alerts.yaml", alert_rules(scope, tenant)});
  return out;
}

std::vector<Manifest> render_site(const Scope& scope) {
  std::vector<Manifest> out;
  add_all(out, "postgres.yaml", postgres_objects(scope));
  add_all(out, "redis.yaml", redis_objects(scope));
  add_all(out, "policies.yaml", policy_objects(scope));
  add_all(out, "access.yaml", jobs_access_objects(scope));
  add_all(out, "monitoring.yaml", site_monitoring(scope));
  return out;
}

}  // namespace ballast::runtime::kubernetes
