// TenantOps: rotating a tenant's generated secrets and updating every consumer.
#include "components/postgres/databases.h"
#include "core/crypto.h"
#include "reconcile/tenant_ops.h"

namespace ballast::reconcile {

namespace pg = components::postgres;
using runtime::local::HostRef;

namespace {

constexpr std::string_view kNames[] = {"db-password", "redis-password", "odoo-master-password"};
// The names the secrets have in the catalog (scope "tenant/<name>").
constexpr std::string_view kCatalogNames[] = {"db_password", "redis_password",
                                              "odoo_master_password"};

std::size_t index_of(TenantSecret kind) { return static_cast<std::size_t>(kind); }

}  // namespace

std::string_view to_string(TenantSecret kind) { return kNames[index_of(kind)]; }

std::optional<TenantSecret> tenant_secret_from(std::string_view text) {
  for (const auto kind : kAllTenantSecrets) {
    if (to_string(kind) == text) return kind;
  }
  return std::nullopt;
}

core::Result<SecretRotation> TenantOps::rotate_secret(const std::string& name, TenantSecret kind) {
  BALLAST_ASSIGN_OR_RETURN(auto record, catalog_.tenants().get(name));
  const HostRef host = runtime::local::LocalRuntime::host_of(record);
  const std::string scope = "tenant/" + name;
  const std::string_view secret_name = kCatalogNames[index_of(kind)];
  auto& secrets = catalog_.secrets();
  BALLAST_ASSIGN_OR_RETURN(auto previous, secrets.get_or_create(scope, secret_name, [] {
    return core::random_token(24);
  }));
  const core::Secret next = core::random_token(24);
  BALLAST_TRY(secrets.put(scope, secret_name, next));
  // The component next; when it refuses, the catalog goes back to the secret still in force.
  auto applied = [&]() -> core::Status {
    switch (kind) {
      case TenantSecret::kDatabasePassword: {
        BALLAST_ASSIGN_OR_RETURN(auto admin, runtime_.postgres_admin(host));
        return pg::ensure_role(admin, name, next);
      }
      case TenantSecret::kRedisPassword:
        return runtime_.sync_host_access(host);
      case TenantSecret::kOdooMasterPassword:
        return core::ok();  // only odoo.conf holds it
    }
    return core::ok();
  }();
  if (!applied.has_value()) {
    (void)secrets.put(scope, secret_name, previous);
    if (kind == TenantSecret::kRedisPassword) (void)runtime_.sync_host_access(host);
    return std::move(applied).error().with_context("rotating " + std::string(to_string(kind)) +
                                                   " of tenant '" + name + "'");
  }
  SecretRotation done;
  if (kind == TenantSecret::kRedisPassword || !has_app()) return done;
  const std::string component = runtime::local::AppTier::component_name(name);
  if (!runtime_.supervisor().is_running(component)) return done;  // the next start reads it
  // Odoo reads its config once: restart it, behind the maintenance page meanwhile.
  const auto began = std::chrono::steady_clock::now();
  runtime_.set_maintenance(name, true);
  (void)runtime_.sync_routes();
  auto restarted = app_->stop(name).and_then([&] { return app_->start(record); });
  runtime_.set_maintenance(name, false);
  (void)runtime_.sync_routes();
  done.unavailable = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - began);
  if (!restarted.has_value()) {
    return std::move(restarted).error().with_context("restarting Odoo of tenant '" + name +
                                                     "' with the rotated secret");
  }
  done.restarted_app = true;
  return done;
}

}  // namespace ballast::reconcile
