// CronJobs that run the Ballast image for a tenant's backups, restore drills and synthetic
// journeys, and the identity those jobs run under in each namespace.
#include <algorithm>

#include <fmt/format.h>

#include "runtime/kubernetes/names.h"
#include "runtime/kubernetes/objects.h"
#include "runtime/kubernetes/parts.h"
#include "runtime/kubernetes/schedule.h"

namespace ballast::runtime::kubernetes {
namespace {

constexpr std::chrono::seconds kJourneyInterval{15 * 60};
constexpr std::chrono::seconds kDay{24 * 3600};
constexpr std::chrono::seconds kWeek{7 * 24 * 3600};

struct JobKind {
  std::string_view component;  // backup, drill, journey
  std::vector<std::string> args;
  std::chrono::seconds interval;
  std::int64_t deadline_seconds;
  bool needs_api;    // drills create their sandbox through the Kubernetes API
  bool needs_files;  // backups and drills read the file store
};

std::vector<JobKind> job_kinds(const Scope& scope, const TenantEnvironment& tenant) {
  const std::string& name = tenant.tenant->name;
  const bool is_dedicated = tenant.tenant->tier == spec::Tier::kDedicated;
  const auto tenant_interval = scope.ns.site->backup->schedule.tenant;
  const std::int64_t drill_deadline =
      std::max<std::int64_t>(2 * 3600, 2 * tenant.tenant->continuity.tightest_rto().count());
  return {{"backup",
           {"backup", "create", name, "--output", "json"},
           tenant_interval,
           6 * 3600,
           false,
           true},
          // Issue 6: weekly drills for shared tenants, daily for dedicated stacks.
          {"drill",
           {"drill", "run", name, "--output", "json"},
           is_dedicated ? kDay : kWeek,
           drill_deadline,
           true,
           true},
          {"journey",
           {"journey", "run", name, "--output", "json"},
           kJourneyInterval,
           600,
           false,
           false}};
}

Json job_env(const Scope& scope, const TenantEnvironment& tenant) {
  const TenantNames names = tenant_names(tenant.tenant->name);
  const std::string db = names::database(tenant.tenant->name);
  Json env =
      Json::array({plain_env("BALLAST_TENANT", tenant.tenant->name),
                   plain_env("BALLAST_API_URL", scope.options.api_url),
                   secret_env("BALLAST_API_TOKEN", kApiTokenSecret, "token"),
                   plain_env("PGHOST", cluster_name(*scope.ns.site) + "-rw"),
                   plain_env("PGPORT", std::to_string(kPostgresPort)), plain_env("PGDATABASE", db),
                   plain_env("PGUSER", db), plain_env("PGSSLMODE", "require"),
                   secret_env("PGPASSWORD", names.db_secret, "password")});
  const spec::Repository* repo = archive_repository(scope.spec, *scope.ns.site);
  if (repo != nullptr && tenant.is_production) {
    const std::string secret = s3_secret(*repo);
    env.push_back(secret_env("AWS_ACCESS_KEY_ID", secret, "ACCESS_KEY_ID"));
    env.push_back(secret_env("AWS_SECRET_ACCESS_KEY", secret, "ACCESS_SECRET_KEY"));
  }
  return env;
}

Json job_pod(const Scope& scope, const TenantEnvironment& tenant, const JobKind& kind) {
  const TenantNames names = tenant_names(tenant.tenant->name);
  const OdooSizing size = odoo_sizing(*tenant.plan, tenant.is_production);
  Json mounts = Json::array(
      {{{"name", "tmp"}, {"mountPath", "/tmp"}},
       {{"name", "backup-key"}, {"mountPath", "/etc/ballast/backup"}, {"readOnly", true}}});
  Json volumes =
      Json::array({{{"name", "tmp"}, {"emptyDir", {{"sizeLimit", "10Gi"}}}},
                   {{"name", "backup-key"},
                    {"secret", {{"secretName", names.backup_secret}, {"defaultMode", 0440}}}}});
  if (kind.needs_files) {
    mounts.push_back({{"name", "data"}, {"mountPath", "/var/lib/odoo"}, {"readOnly", true}});
    volumes.push_back({{"name", "data"},
                       {"persistentVolumeClaim", {{"claimName", names.data}, {"readOnly", true}}}});
  }
  Json container = {{"name", "ballast"},
                    {"image", scope.options.images.ballast},
                    {"args", kind.args},
                    {"env", job_env(scope, tenant)},
                    {"resources", resources(size.job.cpu_millicores, size.job.memory_request,
                                            size.job.memory_limit)},
                    {"securityContext", container_security()},
                    {"volumeMounts", mounts}};
  return {{"restartPolicy", "Never"},
          {"serviceAccountName", kJobsAccount},
          {"automountServiceAccountToken", kind.needs_api},
          {"securityContext", pod_security(kAppUid)},
          {"containers", Json::array({container})},
          {"volumes", volumes}};
}

Json cron_job(const Scope& scope, const TenantEnvironment& tenant, const JobKind& kind) {
  const std::string& name = tenant.tenant->name;
  const spec::Calendar* calendar = scope.spec.find_calendar(tenant.tenant->calendar);
  Json labels = tenant_labels(scope, tenant);
  labels.update(job_pod_labels());
  labels[std::string(kLabelComponent)] = kind.component;
  const std::string job_name = names::fit(name, kind.component, names::kCronJobMax);
  Json job = make_object("batch/v1", "CronJob", job_name, scope, labels);
  job["spec"] = {
      {"schedule", cron_schedule(kind.interval, job_name)},
      {"timeZone", calendar != nullptr ? calendar->timezone : "Etc/UTC"},
      {"concurrencyPolicy", "Forbid"},
      {"startingDeadlineSeconds", 600},
      // A neutralized copy keeps the jobs but runs none: they exist to protect production.
      {"suspend", !tenant.is_production},
      {"successfulJobsHistoryLimit", 3},
      {"failedJobsHistoryLimit", 3},
      {"jobTemplate",
       {{"metadata", {{"labels", labels}}},
        {"spec",
         {{"backoffLimit", 1},
          {"activeDeadlineSeconds", kind.deadline_seconds},
          {"ttlSecondsAfterFinished", 86400},
          {"template",
           {{"metadata", {{"labels", labels}}}, {"spec", job_pod(scope, tenant, kind)}}}}}}}};
  return job;
}

}  // namespace

Json job_pod_labels() {
  Json labels = Json::object();
  labels[std::string(kLabelName)] = "ballast-job";
  return labels;
}

std::vector<Json> job_objects(const Scope& scope, const TenantEnvironment& tenant) {
  std::vector<Json> objects;
  for (const auto& kind : job_kinds(scope, tenant)) {
    objects.push_back(cron_job(scope, tenant, kind));
  }
  return objects;
}

std::vector<Json> jobs_access_objects(const Scope& scope) {
  const Json labels = site_labels(scope);
  Json account = make_object("v1", "ServiceAccount", kJobsAccount, scope, labels);
  account["automountServiceAccountToken"] = false;
  const Json verbs = Json::array({"get", "list", "watch", "create", "delete"});
  Json role = make_object("rbac.authorization.k8s.io/v1", "Role", kJobsAccount, scope, labels);
  role["rules"] =
      Json::array({{{"apiGroups", Json::array({"postgresql.cnpg.io"})},
                    {"resources", Json::array({"clusters", "backups", "databases"})},
                    {"verbs", verbs}},
                   {{"apiGroups", Json::array({""})},
                    {"resources", Json::array({"pods", "services", "persistentvolumeclaims"})},
                    {"verbs", verbs}},
                   {{"apiGroups", Json::array({"apps"})},
                    {"resources", Json::array({"deployments"})},
                    {"verbs", verbs}}});
  Json binding =
      make_object("rbac.authorization.k8s.io/v1", "RoleBinding", kJobsAccount, scope, labels);
  binding["roleRef"] = {
      {"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", kJobsAccount}};
  binding["subjects"] = Json::array(
      {{{"kind", "ServiceAccount"}, {"name", kJobsAccount}, {"namespace", scope.ns.name}}});
  return {account, role, binding,
          secret_skeleton(kApiTokenSecret, scope, labels, "token",
                          "token with which Ballast's jobs report to the Ballast API")};
}

}  // namespace ballast::runtime::kubernetes
