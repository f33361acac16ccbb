// TenantOps: removal into the trash, drift, usage, trash purging, and API requests.
#include <algorithm>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "components/postgres/cluster.h"
#include "components/postgres/databases.h"
#include "components/redis/client.h"
#include "core/file.h"
#include "core/text.h"
#include "reconcile/tenant_ops.h"
#include "spec/loader.h"

namespace ballast::reconcile {

namespace pg = components::postgres;
namespace fs = std::filesystem;
using runtime::local::HostRef;

namespace {

std::uint64_t directory_bytes(const fs::path& dir) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

std::string stamp(core::SystemTime t) {
  auto text = core::format_rfc3339(t);
  std::replace(text.begin(), text.end(), ':', '-');
  return text;
}

}  // namespace

core::Status TenantOps::dump_and_drop(const catalog::TenantRecord& record, const fs::path& trash) {
  const HostRef host = runtime::local::LocalRuntime::host_of(record);
  const std::string& name = record.name;
  BALLAST_ASSIGN_OR_RETURN(auto admin, runtime_.postgres_admin(host));
  BALLAST_ASSIGN_OR_RETURN(const bool has_db, pg::database_exists(admin, name));
  if (has_db) {
    // A suspended tenant's database refuses connections; the dump needs one.
    BALLAST_TRY(pg::allow_connections(admin, name, true));
    BALLAST_ASSIGN_OR_RETURN(const auto port, runtime_.postgres_port(host));
    BALLAST_ASSIGN_OR_RETURN(auto password,
                             catalog_.secrets().get(host.owner(), "postgres_admin_password"));
    core::Command dump{.argv = {(pg::bin_dir() / "pg_dump").string(), "-Fc", "-f",
                                (trash / "database.dump").string(), "-h",
                                runtime_.layout().pg_socket_dir(host).string(), "-p",
                                std::to_string(port), "-U", pg::kAdminRole, name},
                       .env = {{"PGPASSWORD", password.reveal()}}};
    auto dumped = core::run_checked(dump, std::chrono::hours(2));
    if (!dumped.has_value()) {
      (void)pg::allow_connections(admin, name, record.state != catalog::TenantState::kSuspended);
      return std::move(dumped).error();
    }
  }
  const auto tenant_dir = runtime_.layout().tenant_dir(name);
  if (fs::exists(tenant_dir)) {
    std::error_code ec;
    fs::rename(tenant_dir, trash / "tenant", ec);
    if (ec) return core::errno_error(ec.value(), "moving the file store of", tenant_dir);
  }
  const nlohmann::json manifest = {{"tenant", name},
                                   {"pool", record.pool},
                                   {"stack", record.stack},
                                   {"plan", record.plan},
                                   {"domains", record.domains},
                                   {"deleted_at", core::format_rfc3339(runtime_.clock().now())}};
  BALLAST_TRY(core::write_file_atomic(trash / "manifest.json", manifest.dump(2), 0600));
  BALLAST_TRY(pg::drop_database(admin, name));
  return pg::drop_role(admin, name);
}

core::Result<std::string> TenantOps::remove(const std::string& name) {
  BALLAST_ASSIGN_OR_RETURN(auto record, catalog_.tenants().get(name));
  const auto trash = runtime_.layout().trash() / (name + "@" + stamp(runtime_.clock().now()));
  BALLAST_TRY(core::ensure_dir(trash, 0700));
  // Stop serving first; if the dump fails, the tenant goes back to how it was.
  catalog::TenantRecord deleting = record;
  deleting.state = catalog::TenantState::kDeleting;
  BALLAST_TRY(catalog_.tenants().save(deleting));
  BALLAST_TRY(runtime_.sync_routes());
  if (has_app()) BALLAST_TRY(app_->stop(name));
  auto dropped = dump_and_drop(record, trash);
  if (!dropped.has_value()) {
    (void)catalog_.tenants().save(record);
    if (has_app() && record.state == catalog::TenantState::kActive) (void)app_->start(record);
    (void)runtime_.sync_routes();
    std::error_code ec;
    if (!fs::exists(trash / "tenant")) fs::remove_all(trash, ec);
    return std::move(dropped).error().with_context("deleting tenant '" + name + "'");
  }
  const HostRef host = runtime::local::LocalRuntime::host_of(record);
  BALLAST_TRY(catalog_.tenants().remove(name));
  BALLAST_TRY(catalog_.secrets().remove_scope("tenant/" + name));
  BALLAST_TRY(catalog_.mail().clear(name));  // a copy's caught mail goes with it
  BALLAST_TRY(runtime_.sync_host_access(host));
  BALLAST_TRY(runtime_.sync_routes());
  return trash.string();
}

core::Result<std::vector<std::string>> TenantOps::drift(const catalog::TenantRecord& t) {
  BALLAST_ASSIGN_OR_RETURN(auto all, drift_all({t}));
  return all[t.name];
}

namespace {

// What one database host has, read once for all its tenants.
struct HostFacts {
  std::optional<std::set<std::string>> roles;
  std::optional<std::set<std::string>> databases;
  std::optional<std::set<std::string>> redis_users;
};

std::set<std::string> column(const pg::Rows& rows) {
  std::set<std::string> out;
  for (const auto& row : rows.values) out.insert(row.at(0));
  return out;
}

HostFacts read_host(runtime::local::LocalRuntime& runtime, const HostRef& host) {
  HostFacts facts;
  if (auto admin = runtime.postgres_admin(host); admin.has_value()) {
    if (auto roles = admin->query("SELECT rolname FROM pg_roles")) facts.roles = column(*roles);
    if (auto dbs = admin->query("SELECT datname FROM pg_database")) facts.databases = column(*dbs);
  }
  if (auto redis = runtime.redis_admin(host); redis.has_value()) {
    if (auto users = redis->command({"ACL", "USERS"}); users.has_value() && !users->is_error) {
      facts.redis_users = std::set<std::string>(users->values.begin(), users->values.end());
    }
  }
  return facts;
}

}  // namespace

core::Result<std::map<std::string, std::vector<std::string>>> TenantOps::drift_all(
    const std::vector<catalog::TenantRecord>& tenants) {
  std::map<std::string, HostFacts> hosts;
  auto routes = runtime_.live_hosts_map();
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& t : tenants) {
    const HostRef host = runtime::local::LocalRuntime::host_of(t);
    auto it = hosts.find(host.owner());
    if (it == hosts.end()) it = hosts.emplace(host.owner(), read_host(runtime_, host)).first;
    const HostFacts& f = it->second;
    auto& missing = out[t.name];
    if (!f.roles) {
      missing.push_back(fmt::format("PostgreSQL of {}", host.owner()));
    } else {
      if (f.roles->count(t.name) == 0) missing.emplace_back("database role");
      if (f.databases->count(t.name) == 0) missing.emplace_back("database");
    }
    if (!f.redis_users) {
      missing.push_back(fmt::format("Redis of {}", host.owner()));
    } else if (f.redis_users->count(t.name) == 0) {
      missing.emplace_back("redis user");
    }
    if (!fs::exists(runtime_.layout().filestore(t.name))) missing.emplace_back("file store");
    if (has_app() && t.state == catalog::TenantState::kActive &&
        !runtime_.supervisor().is_running(runtime::local::AppTier::component_name(t.name))) {
      missing.emplace_back("application");
    }
    if (!routes.has_value()) {
      missing.emplace_back("proxy");
      continue;
    }
    for (const auto& d : t.domains) {
      auto route = routes->find(d);
      if (route == routes->end() || route->second != t.name) missing.push_back("route " + d);
    }
  }
  return out;
}

core::Result<Usage> TenantOps::usage(const catalog::TenantRecord& t) {
  Usage usage;
  const HostRef host = runtime::local::LocalRuntime::host_of(t);
  BALLAST_ASSIGN_OR_RETURN(auto admin, runtime_.postgres_admin(host));
  BALLAST_ASSIGN_OR_RETURN(usage.db_bytes, pg::database_size_bytes(admin, t.name));
  usage.filestore_bytes = directory_bytes(runtime_.layout().filestore(t.name));
  if (const spec::Plan* plan = spec_.find_plan(t.plan)) {
    usage.db_quota_bytes = plan->db_size.bytes;
    usage.filestore_quota_bytes = plan->filestore_size.bytes;
  }
  return usage;
}

core::Result<std::vector<std::string>> TenantOps::purge_trash(core::SystemTime now) {
  std::vector<std::string> purged;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(runtime_.layout().trash(), ec)) {
    auto manifest = core::read_file(entry.path() / "manifest.json", 1 << 20);
    if (!manifest.has_value()) continue;
    const auto json = nlohmann::json::parse(*manifest, nullptr, false);
    const auto deleted = core::parse_rfc3339(json.value("deleted_at", ""));
    if (!deleted || now - *deleted < spec_.platform.trash_retention) continue;
    fs::remove_all(entry.path(), ec);
    purged.push_back(entry.path().filename().string());
  }
  return purged;
}

core::Result<spec::Tenant> tenant_from_request(const spec::Spec& spec, const nlohmann::json& body) {
  spec::Spec probe = spec;
  spec::Tenant t;
  t.name = body.value("name", "");
  t.tier =
      body.value("tier", "shared") == "dedicated" ? spec::Tier::kDedicated : spec::Tier::kShared;
  t.pool = body.value("pool", "");
  t.stack = body.value("stack", "");
  t.plan = body.value("plan", "");
  if (body.contains("domains")) t.domains = body["domains"].get<std::vector<std::string>>();
  if (t.tier == spec::Tier::kShared && t.pool.empty() && spec.pools.size() == 1) {
    t.pool = spec.pools.front().name;
  }
  probe.tenants.push_back(t);
  probe.positions.clear();
  spec::derive_defaults(probe);
  std::vector<spec::Diagnostic> problems;
  spec::validate(probe, problems);
  if (!core::is_dns_label(t.name)) {
    return core::make_error(
        core::ErrorCode::kInvalidArgument,
        "'{}' is not a valid tenant name: use 1–63 lowercase letters, digits and '-'", t.name);
  }
  if (!problems.empty()) {
    std::vector<std::string> messages;
    for (const auto& p : problems) messages.push_back(p.path + ": " + p.message);
    return core::Error(core::ErrorCode::kInvalidArgument, core::join(messages, "; "))
        .with_hint(
            "Check the pool, plan and domains against the spec ('ballast spec explain tenants').");
  }
  return probe.tenants.back();
}

}  // namespace ballast::reconcile
