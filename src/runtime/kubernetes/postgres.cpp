// A site's PostgreSQL on CloudNativePG: the Cluster (managed roles, pg_hba isolation, WAL
// archiving through the Barman Cloud plugin), its ObjectStore and ScheduledBackup, and each
// tenant's Database.
#include <algorithm>

#include <fmt/format.h>

#include "runtime/kubernetes/names.h"
#include "runtime/kubernetes/objects.h"
#include "runtime/kubernetes/parts.h"
#include "runtime/kubernetes/schedule.h"
#include "spec/units.h"

namespace ballast::runtime::kubernetes {
namespace {

constexpr std::string_view kBarmanPlugin = "barman-cloud.cloudnative-pg.io";
constexpr std::size_t kClusterNameMax = 50;
constexpr std::int64_t kMinArchiveTimeout = 30;

std::string store_name(const Site& site) { return names::fit(cluster_name(site), "backups"); }

// SQL identifiers in pg_hba: double-quoted, so names with '-' match exactly.
std::string sql_quoted(std::string_view name) { return fmt::format("\"{}\"", name); }

// PostgreSQL's own memory unit spelling ("256MB"), from a size in bytes.
std::string pg_memory(std::uint64_t bytes) { return fmt::format("{}MB", bytes / kMiB); }

// The most data a tenant on this cluster may lose decides how often a WAL segment is shipped.
std::int64_t archive_timeout_seconds(const Namespace& ns) {
  std::int64_t tightest = 3600;
  for (const auto& tenant : ns.tenants) {
    tightest = std::min<std::int64_t>(tightest, tenant.tenant->continuity.tightest_rpo().count());
  }
  return std::max(kMinArchiveTimeout, tightest / 2);
}

Json managed_roles(const Namespace& ns) {
  Json roles = Json::array();
  for (const auto& tenant : ns.tenants) {
    const TenantNames tn = tenant_names(tenant.tenant->name);
    roles.push_back({{"name", names::database(tenant.tenant->name)},
                     {"ensure", "present"},
                     {"login", true},
                     {"superuser", false},
                     {"createdb", false},
                     {"createrole", false},
                     {"connectionLimit", tenant.plan->connections},
                     {"passwordSecret", {{"name", tn.db_secret}}}});
  }
  return roles;
}

// As on one host: each tenant's role reaches its own database only, everything else is refused
// (CloudNativePG's own rules for replication and the operator come before these).
Json host_rules(const Namespace& ns) {
  Json rules = Json::array();
  for (const auto& tenant : ns.tenants) {
    const std::string db = names::database(tenant.tenant->name);
    rules.push_back(fmt::format("hostssl {} {} all scram-sha-256", sql_quoted(db), sql_quoted(db)));
  }
  rules.push_back("host all all all reject");
  return rules;
}

Json postgresql_section(const Scope& scope, const PostgresSizing& size) {
  const spec::PostgresSettings& pg = *scope.ns.site->postgres;
  Json parameters = {{"max_connections", std::to_string(pg.max_connections)},
                     {"shared_buffers", pg_memory(std::max(128 * kMiB, pg.shared_buffers.bytes))},
                     {"archive_timeout", fmt::format("{}s", archive_timeout_seconds(scope.ns))}};
  Json section = {{"parameters", parameters}, {"pg_hba", host_rules(scope.ns)}};
  if (size.synchronous_replicas > 0) {
    section["synchronous"] = {
        {"method", "any"},
        {"number", size.synchronous_replicas},
        {"dataDurability", size.is_synchronous_required ? "required" : "preferred"}};
  }
  return section;
}

Json cluster(const Scope& scope, const PostgresSizing& size, const spec::Repository* repo) {
  const Site& site = *scope.ns.site;
  Json c = make_object("postgresql.cnpg.io/v1", "Cluster", cluster_name(site), scope,
                       site_labels(scope));
  Json storage = {{"size", memory_quantity(size.storage_bytes)}};
  Json wal = {{"size", memory_quantity(size.wal_storage_bytes)}};
  if (!scope.options.rwo_storage_class.empty()) {
    storage["storageClass"] = scope.options.rwo_storage_class;
    wal["storageClass"] = scope.options.rwo_storage_class;
  }
  c["spec"] = {{"instances", size.instances},
               {"imageName", scope.options.images.postgres},
               {"primaryUpdateStrategy", "unsupervised"},
               {"enableSuperuserAccess", false},
               {"postgresql", postgresql_section(scope, size)},
               {"bootstrap", {{"initdb", {{"dataChecksums", true}, {"encoding", "UTF8"}}}}},
               {"managed", {{"roles", managed_roles(scope.ns)}}},
               {"storage", storage},
               {"walStorage", wal},
               {"resources",
                resources(size.pod.cpu_millicores, size.pod.memory_request, size.pod.memory_limit)},
               {"affinity",
                {{"enablePodAntiAffinity", true},
                 {"topologyKey", "topology.kubernetes.io/zone"},
                 {"podAntiAffinityType", "preferred"}}},
               {"monitoring", {{"enablePodMonitor", true}}}};
  if (repo != nullptr) {
    c["spec"]["plugins"] =
        Json::array({{{"name", kBarmanPlugin},
                      {"isWALArchiver", true},
                      {"parameters", {{"barmanObjectName", store_name(site)}}}}});
  }
  return c;
}

Json object_store(const Scope& scope, const PostgresSizing& size, const spec::Repository& repo) {
  const Site& site = *scope.ns.site;
  const std::string secret = s3_secret(repo);
  std::string path = "s3://" + repo.bucket + "/";
  if (!repo.prefix.empty()) path += repo.prefix + "/";
  path += "kubernetes/" + scope.ns.name;  // copies never share a production archive
  Json configuration = {{"destinationPath", path},
                        {"s3Credentials",
                         {{"accessKeyId", {{"name", secret}, {"key", "ACCESS_KEY_ID"}}},
                          {"secretAccessKey", {{"name", secret}, {"key", "ACCESS_SECRET_KEY"}}}}},
                        {"wal", {{"compression", "gzip"}, {"maxParallel", 2}}},
                        {"data", {{"compression", "gzip"}}}};
  if (!repo.endpoint.empty()) configuration["endpointURL"] = repo.endpoint;
  if (!repo.ca_file.empty()) {
    configuration["endpointCA"] = {{"name", names::fit(repo.name, "ca")}, {"key", "ca.crt"}};
  }
  Json store = make_object("barmancloud.cnpg.io/v1", "ObjectStore", store_name(site), scope,
                           site_labels(scope));
  const auto days = std::max<std::int64_t>(1, repo.retention.window().count() / 86400);
  store["spec"] = {
      {"retentionPolicy", fmt::format("{}d", days)},
      {"configuration", configuration},
      {"instanceSidecarConfiguration",
       {{"resources", resources(size.sidecar.cpu_millicores, size.sidecar.memory_request,
                                size.sidecar.memory_limit)}}}};
  return store;
}

Json scheduled_backup(const Scope& scope) {
  const Site& site = *scope.ns.site;
  const spec::BackupSchedule& schedule = site.backup->schedule;
  // Barman Cloud takes full base backups only; the tighter of the full and differential
  // intervals keeps the WAL to replay on restore (and so the RTO) short.
  auto interval = schedule.full;
  if (schedule.differential.count() > 0) interval = std::min(interval, schedule.differential);
  const std::string name = names::fit(cluster_name(site), "base-backup");
  Json backup =
      make_object("postgresql.cnpg.io/v1", "ScheduledBackup", name, scope, site_labels(scope));
  backup["spec"] = {{"schedule", cron_schedule_with_seconds(interval, name)},
                    {"immediate", true},
                    {"backupOwnerReference", "self"},
                    {"cluster", {{"name", cluster_name(site)}}},
                    {"method", "plugin"},
                    {"pluginConfiguration", {{"name", kBarmanPlugin}}}};
  return backup;
}

}  // namespace

std::string cluster_name(const Site& site) { return names::fit(site.name, "", kClusterNameMax); }

std::string s3_secret(const spec::Repository& repo) { return names::fit(repo.name, "s3"); }

std::vector<Json> postgres_objects(const Scope& scope) {
  const PostgresSizing size = postgres_sizing(scope.ns);
  // Copies are rebuilt from production: they are neither archived nor backed up.
  const spec::Repository* repo =
      scope.ns.is_production ? archive_repository(scope.spec, *scope.ns.site) : nullptr;
  std::vector<Json> objects{cluster(scope, size, repo)};
  if (repo == nullptr) return objects;
  objects.push_back(object_store(scope, size, *repo));
  objects.push_back(scheduled_backup(scope));
  objects.push_back(secret_skeleton(s3_secret(*repo), scope, site_labels(scope),
                                    "ACCESS_KEY_ID,ACCESS_SECRET_KEY",
                                    "credentials of the S3 repository '" + repo->name + "'"));
  if (!repo->ca_file.empty()) {
    objects.push_back(secret_skeleton(names::fit(repo->name, "ca"), scope, site_labels(scope),
                                      "ca.crt", "CA certificate of the S3 endpoint"));
  }
  return objects;
}

Json database_object(const Scope& scope, const TenantEnvironment& tenant) {
  const std::string db = names::database(tenant.tenant->name);
  Json database = make_object("postgresql.cnpg.io/v1", "Database", tenant.tenant->name, scope,
                              tenant_labels(scope, tenant));
  database["spec"] = {{"cluster", {{"name", cluster_name(*scope.ns.site)}}},
                      {"name", db},
                      {"owner", db},
                      {"ensure", "present"},
                      {"encoding", "UTF8"},
                      {"connectionLimit", tenant.plan->connections},
                      // Dropping a tenant's database is Ballast's guarded delete, never a prune.
                      {"databaseReclaimPolicy", "retain"}};
  return database;
}

}  // namespace ballast::runtime::kubernetes
