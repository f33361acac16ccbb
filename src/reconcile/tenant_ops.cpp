#include "reconcile/tenant_ops.h"

#include <algorithm>

#include "components/postgres/cluster.h"
#include "components/postgres/databases.h"
#include "core/crypto.h"
#include "core/file.h"
#include "core/text.h"
#include "reconcile/plan.h"

namespace ballast::reconcile {

namespace pg = components::postgres;
using runtime::local::HostRef;

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::kUnchanged:
      return "unchanged";
    case Outcome::kCreated:
      return "created";
    case Outcome::kUpdated:
      return "updated";
    case Outcome::kDeleted:
      return "deleted";
  }
  return "unchanged";
}

core::Result<const spec::Plan*> TenantOps::plan_of(const std::string& plan) {
  const spec::Plan* p = spec_.find_plan(plan);
  if (p == nullptr) {
    return core::make_error(core::ErrorCode::kNotFound, "plan '{}' is not in the spec", plan)
        .with_hint("Define it under 'plans:' in the spec, or choose an existing plan.");
  }
  return p;
}

core::Status TenantOps::provision_database(const catalog::TenantRecord& t, const spec::Plan& plan,
                                           Seed seed) {
  const HostRef host = runtime::local::LocalRuntime::host_of(t);
  const std::string scope = "tenant/" + t.name;
  auto generate = [] { return core::random_token(24); };
  BALLAST_ASSIGN_OR_RETURN(auto db_password,
                           catalog_.secrets().get_or_create(scope, "db_password", generate));
  std::string template_db = seed == Seed::kEmpty ? "template0" : pg::kTemplateDatabase;
  if (has_app() && seed == Seed::kTemplate) {
    const spec::Tenant* in_spec = spec_.find_tenant(t.name);
    BALLAST_ASSIGN_OR_RETURN(
        template_db, app_->ensure_template(
                         host, app_->modules_for(in_spec != nullptr ? in_spec->modules
                                                                    : std::vector<std::string>{})));
  }
  BALLAST_ASSIGN_OR_RETURN(auto admin, runtime_.postgres_admin(host));
  BALLAST_TRY(pg::ensure_role(admin, t.name, db_password));
  BALLAST_ASSIGN_OR_RETURN(
      const bool created,
      pg::ensure_database(admin, {t.name, t.name, plan.connections, template_db}));
  if (created && has_app() && seed == Seed::kTemplate) {
    BALLAST_ASSIGN_OR_RETURN(auto admin_password, catalog_.secrets().get_or_create(
                                                      scope, "odoo_admin_password", generate));
    BALLAST_TRY(app_->adopt_clone(t, template_db, admin_password));
  }
  return pg::allow_connections(admin, t.name, t.state != catalog::TenantState::kSuspended);
}

core::Status TenantOps::provision(const catalog::TenantRecord& t, Seed seed) {
  const HostRef host = runtime::local::LocalRuntime::host_of(t);
  auto generate = [] { return core::random_token(24); };
  BALLAST_TRY(catalog_.secrets().get_or_create("tenant/" + t.name, "redis_password", generate));
  BALLAST_ASSIGN_OR_RETURN(const spec::Plan* plan, plan_of(t.plan));
  BALLAST_TRY(runtime_.ensure_host(host));
  BALLAST_TRY(provision_database(t, *plan, seed));
  BALLAST_TRY(core::ensure_dir(runtime_.layout().tenant_dir(t.name), 0700));
  BALLAST_TRY(core::ensure_dir(runtime_.layout().filestore(t.name), 0700));
  const auto& id = runtime_.identity();
  BALLAST_TRY(core::chown_path(runtime_.layout().tenant_dir(t.name), id.uid, id.gid, true));
  BALLAST_TRY(runtime_.sync_host_access(host));
  if (has_app()) {
    if (t.state == catalog::TenantState::kActive) {
      BALLAST_TRY(app_->start(t));
    } else {
      BALLAST_TRY(app_->stop(t.name));
    }
  }
  BALLAST_TRY(runtime_.ensure_proxy());
  return core::ok();
}

core::Result<Outcome> TenantOps::ensure(const spec::Tenant& tenant, const std::string& origin,
                                        Seed seed) {
  BALLAST_ASSIGN_OR_RETURN(auto existing, catalog_.tenants().find(tenant.name));
  BALLAST_ASSIGN_OR_RETURN(const spec::Plan* plan, plan_of(tenant.plan));
  catalog::TenantRecord record = existing.value_or(catalog::TenantRecord{});
  const bool is_new = !existing.has_value();
  record.name = tenant.name;
  record.tier = tenant.tier;
  record.pool = tenant.pool;
  record.stack = tenant.stack;
  record.plan = tenant.plan;
  record.plan_json = plan_fingerprint(*plan);
  record.domains = tenant.domains;
  if (is_new) {
    record.state = catalog::TenantState::kProvisioning;
    record.origin = origin;
  }
  if (is_new) BALLAST_TRY(catalog_.tenants().save(record));
  BALLAST_ASSIGN_OR_RETURN(auto missing, drift(record));
  const bool changed = is_new || existing->plan_json != record.plan_json ||
                       existing->domains != record.domains ||
                       existing->state == catalog::TenantState::kProvisioning || !missing.empty();
  if (!changed) return Outcome::kUnchanged;
  // An empty database waits in provisioning for the restore that fills it.
  if (record.state == catalog::TenantState::kProvisioning && seed == Seed::kTemplate) {
    record.state = catalog::TenantState::kActive;
  }
  BALLAST_TRY(catalog_.tenants().save(record));
  BALLAST_TRY(provision(record, seed));
  return is_new ? Outcome::kCreated : Outcome::kUpdated;
}

core::Status TenantOps::repair(const std::string& name) {
  BALLAST_ASSIGN_OR_RETURN(auto record, catalog_.tenants().get(name));
  return provision(record, Seed::kEmpty);
}

core::Result<Outcome> TenantOps::set_state(const std::string& name, catalog::TenantState state) {
  BALLAST_ASSIGN_OR_RETURN(auto record, catalog_.tenants().get(name));
  if (record.state == state) return Outcome::kUnchanged;
  record.state = state;
  BALLAST_TRY(catalog_.tenants().save(record));
  BALLAST_TRY(provision(record));
  return Outcome::kUpdated;
}

core::Result<Outcome> TenantOps::set_plan(const std::string& name, const std::string& plan) {
  BALLAST_ASSIGN_OR_RETURN(auto record, catalog_.tenants().get(name));
  BALLAST_ASSIGN_OR_RETURN(const spec::Plan* p, plan_of(plan));
  if (record.plan == plan && record.plan_json == plan_fingerprint(*p)) return Outcome::kUnchanged;
  record.plan = plan;
  record.plan_json = plan_fingerprint(*p);
  BALLAST_TRY(catalog_.tenants().save(record));
  BALLAST_TRY(provision(record));
  return Outcome::kUpdated;
}

core::Result<Outcome> TenantOps::add_domain(const std::string& name, const std::string& domain) {
  if (!core::is_dns_name(domain)) {
    return core::make_error(core::ErrorCode::kInvalidArgument, "'{}' is not a valid domain name",
                            domain);
  }
  BALLAST_ASSIGN_OR_RETURN(auto all, catalog_.tenants().list());
  for (const auto& other : all) {
    if (other.name != name &&
        std::find(other.domains.begin(), other.domains.end(), domain) != other.domains.end()) {
      return core::make_error(core::ErrorCode::kConflict,
                              "domain '{}' already belongs to tenant '{}'", domain, other.name);
    }
  }
  BALLAST_ASSIGN_OR_RETURN(auto record, catalog_.tenants().get(name));
  if (std::find(record.domains.begin(), record.domains.end(), domain) != record.domains.end()) {
    return Outcome::kUnchanged;
  }
  record.domains.push_back(domain);
  BALLAST_TRY(catalog_.tenants().save(record));
  if (auto synced = runtime_.sync_routes(); !synced.has_value()) {
    // kSpecInvalid: the certificate the spec supplies for the tenant does not cover the new
    // domain (or fails another check); the domain is not kept.
    if (synced.error().code() == core::ErrorCode::kSpecInvalid) {
      record.domains.pop_back();
      BALLAST_TRY(catalog_.tenants().save(record));
      (void)runtime_.sync_routes();
    }
    return std::move(synced).error();
  }
  return Outcome::kUpdated;
}

core::Result<Outcome> TenantOps::remove_domain(const std::string& name, const std::string& domain) {
  BALLAST_ASSIGN_OR_RETURN(auto record, catalog_.tenants().get(name));
  auto it = std::find(record.domains.begin(), record.domains.end(), domain);
  if (it == record.domains.end()) return Outcome::kUnchanged;
  record.domains.erase(it);
  BALLAST_TRY(catalog_.tenants().save(record));
  BALLAST_TRY(runtime_.sync_routes());
  return Outcome::kUpdated;
}

}  // namespace ballast::reconcile
