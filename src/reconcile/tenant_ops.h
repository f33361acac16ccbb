// Tenant operations on the embedded platform: every layer of a tenant (PostgreSQL role and
// database, Redis ACL user, file store, proxy routes, catalog record) made, changed or removed.
// Each operation is idempotent and reports what it did. Used by `apply` and by the tenant API.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "runtime/local/app_tier.h"
#include "runtime/local/local_runtime.h"
#include "spec/model.h"

namespace ballast::reconcile {

enum class Outcome { kUnchanged, kCreated, kUpdated, kDeleted };

// What a new tenant database starts from: the app tier's template (ready to log in), or empty
// (to restore a backup into).
enum class Seed { kTemplate, kEmpty };
std::string_view to_string(Outcome outcome);

// A tenant's generated secrets that `ballast secret rotate` replaces.
enum class TenantSecret {
  kDatabasePassword,    // its PostgreSQL role's password (Odoo's db_password)
  kRedisPassword,       // its Redis ACL user's password
  kOdooMasterPassword,  // Odoo's admin_passwd (the database manager's master password)
};
inline constexpr std::array kAllTenantSecrets = {TenantSecret::kDatabasePassword,
                                                 TenantSecret::kRedisPassword,
                                                 TenantSecret::kOdooMasterPassword};
// "db-password", "redis-password", "odoo-master-password".
std::string_view to_string(TenantSecret kind);
std::optional<TenantSecret> tenant_secret_from(std::string_view text);

// What a rotation did to the tenant's consumers.
struct SecretRotation {
  bool restarted_app = false;               // Odoo restarted with its rewritten odoo.conf
  std::chrono::milliseconds unavailable{};  // how long the app answered the maintenance page
};

// Measured usage against the plan.
struct Usage {
  std::uint64_t db_bytes = 0;
  std::uint64_t filestore_bytes = 0;
  std::uint64_t db_quota_bytes = 0;
  std::uint64_t filestore_quota_bytes = 0;
  [[nodiscard]] bool is_over_quota() const {
    return (db_quota_bytes > 0 && db_bytes > db_quota_bytes) ||
           (filestore_quota_bytes > 0 && filestore_bytes > filestore_quota_bytes);
  }
};

class TenantOps final {
 public:
  // `app` may be null: tenants then get an empty database and no application.
  TenantOps(const spec::Spec& spec, catalog::Catalog& catalog,
            runtime::local::LocalRuntime& runtime, runtime::local::AppTier* app)
      : spec_(spec), catalog_(catalog), runtime_(runtime), app_(app) {}

  // Creates whatever layer is missing (and repairs drift); kCreated when the tenant is new.
  // `origin` ("spec" or "api") is recorded for a new tenant: apply deletes only the spec's.
  core::Result<Outcome> ensure(const spec::Tenant& tenant, const std::string& origin = "spec",
                               Seed seed = Seed::kTemplate);
  // Recreates what is missing of a recorded tenant the spec does not list (made through the
  // API, or a copy): role, access, application, routes. A missing database comes back empty.
  core::Status repair(const std::string& name);
  core::Result<Outcome> set_state(const std::string& name, catalog::TenantState state);
  core::Result<Outcome> set_plan(const std::string& name, const std::string& plan);
  core::Result<Outcome> add_domain(const std::string& name, const std::string& domain);
  core::Result<Outcome> remove_domain(const std::string& name, const std::string& domain);
  // Dumps the database and moves the file store into the trash (kept trash_retention), then
  // drops the database, role, Redis user and routes. Returns the trash folder.
  core::Result<std::string> remove(const std::string& name);
  // Copies `source`'s database (pg_dump | pg_restore, online and consistent) and file store
  // into `target`, whose database must exist and be empty.
  core::Status copy_data(const catalog::TenantRecord& source, const catalog::TenantRecord& target);
  // Where copy_data reads from: any PostgreSQL reachable over a unix socket as the admin role
  // (a tenant's cluster, or a point-in-time sandbox).
  struct DataSource {
    std::filesystem::path socket_dir;
    std::uint16_t port = 0;
    core::Secret password;
    std::string database;
  };
  // Copies only the database from `source` into `target` (empty, existing).
  core::Status copy_database(const DataSource& source, const catalog::TenantRecord& target);
  // A neutralized copy "<tenant>-<name>" of a production tenant: created empty, filled from
  // production, neutralized and verified (with an app tier), then started.
  core::Result<Outcome> create_environment(const std::string& tenant, const std::string& name,
                                           spec::EnvironmentKind kind,
                                           const std::vector<std::string>& domains);
  // What is missing on the real components: "database role", "route x.example", …
  core::Result<std::vector<std::string>> drift(const catalog::TenantRecord& tenant);
  // The same for many tenants at once: one query per component, not per tenant.
  core::Result<std::map<std::string, std::vector<std::string>>> drift_all(
      const std::vector<catalog::TenantRecord>& tenants);
  core::Result<Usage> usage(const catalog::TenantRecord& tenant);
  // Replaces one generated secret of a tenant and updates every consumer: the catalog first
  // (sealed; it is what every later start reads), then the component — ALTER ROLE with a SCRAM
  // verifier computed here (PostgreSQL never sees the password), or the Redis ACL file and
  // ACL LOAD — then, for the database and master passwords, Odoo's config is rewritten and a
  // running Odoo restarted behind the maintenance page. Sessions already open keep working;
  // the old password is refused from then on. When the component refuses the change, the
  // catalog keeps the old secret. An interrupted rotation is finished by rotating again.
  core::Result<SecretRotation> rotate_secret(const std::string& tenant, TenantSecret kind);
  // Purges trash folders older than the spec's trash_retention; their names.
  core::Result<std::vector<std::string>> purge_trash(core::SystemTime now);

 private:
  core::Status provision(const catalog::TenantRecord& record, Seed seed = Seed::kTemplate);
  core::Status provision_database(const catalog::TenantRecord& record, const spec::Plan& plan,
                                  Seed seed);
  [[nodiscard]] bool has_app() const { return app_ != nullptr && app_->is_configured(); }
  core::Status dump_and_drop(const catalog::TenantRecord& record,
                             const std::filesystem::path& trash);
  core::Result<const spec::Plan*> plan_of(const std::string& plan);
  const spec::Spec& spec_;
  catalog::Catalog& catalog_;
  runtime::local::LocalRuntime& runtime_;
  runtime::local::AppTier* app_;
};

// A tenant described by the API or CLI, checked against the spec like a spec tenant would be.
core::Result<spec::Tenant> tenant_from_request(const spec::Spec& spec, const nlohmann::json& body);

}  // namespace ballast::reconcile
