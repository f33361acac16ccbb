#include "monitor/alert_rules.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "monitor/metrics.h"

namespace ballast::monitor {
namespace {

using spec::Duration;
using std::chrono::days;
using std::chrono::duration_cast;
using std::chrono::minutes;

constexpr Duration kDefaultTenantBackup = duration_cast<Duration>(days(1));
constexpr Duration kDrillOverdue = duration_cast<Duration>(days(8));
constexpr Duration kCertificateWarning = duration_cast<Duration>(days(14));
constexpr int kJourneyFailureLimit = 3;

std::string name_of(const MetricDef& def) { return std::string(def.name); }

// `metric{a="x",b="y"}` with every value escaped.
std::string selector(const MetricDef& def,
                     const std::vector<std::pair<std::string, std::string>>& matchers) {
  std::string out = name_of(def);
  if (matchers.empty()) return out;
  out += '{';
  bool first = true;
  for (const auto& [label, value] : matchers) {
    if (!first) out += ',';
    first = false;
    out += label;
    out += '=';
    out += promql_string(value);
  }
  out += '}';
  return out;
}

std::string seconds_of(Duration d) { return std::to_string(d.count()); }

AlertRule rule(std::string alert, std::string expr, Duration for_duration,
               std::string_view severity, std::pair<std::string, std::string> subject,
               std::string summary, std::string description) {
  AlertRule r{std::move(alert),   std::move(expr),       for_duration, {},
              std::move(summary), std::move(description)};
  r.labels.emplace_back("severity", std::string(severity));
  if (!subject.first.empty()) r.labels.push_back(std::move(subject));
  return r;
}

const spec::BackupPolicy* backup_policy_of(const spec::Spec& spec, const spec::Tenant& tenant) {
  if (const auto* pool = spec.find_pool(tenant.pool)) return &pool->backup;
  if (const auto* stack = spec.find_stack(tenant.stack)) return &stack->backup;
  return nullptr;
}

std::string cluster_of(const spec::Tenant& tenant) {
  return tenant.tier == spec::Tier::kDedicated ? tenant.stack : tenant.pool;
}

std::vector<AlertRule> continuity_rules(const spec::Spec& spec, const spec::Tenant& tenant) {
  const std::string& t = tenant.name;
  const std::pair<std::string, std::string> subject{"tenant", t};
  const Duration rpo = tenant.continuity.tightest_rpo();
  const auto* policy = backup_policy_of(spec, tenant);
  const Duration schedule = policy != nullptr && policy->schedule.tenant.count() > 0
                                ? policy->schedule.tenant
                                : kDefaultTenantBackup;
  std::vector<AlertRule> rules;
  rules.push_back(
      rule("BallastRpoAtRisk", selector(metric::kRpo, {subject}) + " > " + seconds_of(rpo),
           duration_cast<Duration>(minutes(5)), "critical", subject,
           fmt::format("{}: the data that could be lost now exceeds its RPO of {}", t,
                       spec::format_duration(rpo)),
           fmt::format("Nothing newer than {{{{ $value | humanizeDuration }}}} ago is safe off the "
                       "database of '{}'. Check WAL archiving of its cluster ('{}') and that the "
                       "repositories are reachable ('ballast status').",
                       t, cluster_of(tenant))));
  rules.push_back(rule(
      "BallastTenantBackupStale",
      selector(metric::kBackupAge, {subject, {"kind", "tenant"}}) + " > " +
          seconds_of(2 * schedule),
      duration_cast<Duration>(minutes(15)), "warning", subject,
      fmt::format("{}: no tenant backup for twice its schedule of {}", t,
                  spec::format_duration(schedule)),
      fmt::format("The newest tenant backup of '{}' is older than two scheduled runs. Look at "
                  "the failed backup jobs, fix the cause, then run 'ballast backup create {}'.",
                  t, t)));
  return rules;
}

std::vector<AlertRule> drill_rules(const spec::Tenant& tenant) {
  const std::string& t = tenant.name;
  const std::pair<std::string, std::string> subject{"tenant", t};
  const Duration rto = tenant.continuity.tightest_rto();
  std::vector<AlertRule> rules;
  rules.push_back(rule("BallastDrillFailed", selector(metric::kDrillSuccess, {subject}) + " == 0",
                       Duration(0), "critical", subject,
                       fmt::format("{}: the last restore drill failed", t),
                       fmt::format("A restore of '{}' could not be proven. Read the drill's report "
                                   "in the catalog, fix the cause and let the next drill prove "
                                   "it.",
                                   t)));
  rules.push_back(rule(
      "BallastDrillRtoOverTarget", selector(metric::kDrillRto, {subject}) + " > " + seconds_of(rto),
      Duration(0), "warning", subject,
      fmt::format("{}: the last drill took longer than the RTO of {}", t,
                  spec::format_duration(rto)),
      fmt::format("Restoring '{}' took {{{{ $value | humanizeDuration }}}}. Make restores faster "
                  "(more frequent full backups, a closer repository) or agree a looser RTO.",
                  t)));
  rules.push_back(
      rule("BallastDrillOverdue",
           "time() - " + selector(metric::kDrillTimestamp, {subject}) + " > " +
               seconds_of(kDrillOverdue),
           Duration(0), "warning", subject, fmt::format("{}: no restore drill for over 8 days", t),
           fmt::format("The weekly restore drill of '{}' has not run twice in a row. Check that "
                       "the daemon and its job runner are up ('ballast status').",
                       t)));
  return rules;
}

std::vector<AlertRule> service_rules(const spec::Tenant& tenant) {
  const std::string& t = tenant.name;
  const std::pair<std::string, std::string> subject{"tenant", t};
  const std::string not_ready = selector(metric::kReadiness, {subject, {"status", "not_ready"}});
  const std::string frozen = selector(metric::kInFreeze, {subject});
  std::vector<AlertRule> rules;
  rules.push_back(rule(
      "BallastJourneyFailing",
      selector(metric::kJourneyFailures, {subject}) + " >= " + std::to_string(kJourneyFailureLimit),
      Duration(0), "critical", subject,
      fmt::format("{}: the {{{{ $labels.journey }}}} journey failed 3 times in a row", t),
      fmt::format("Users of '{}' probably cannot complete '{{{{ $labels.journey }}}}'. Look at "
                  "the journey's failing step in the dashboard and at the Odoo logs.",
                  t)));
  rules.push_back(
      rule("BallastTenantNotReady", not_ready + " == 1 unless on(tenant) " + frozen + " == 1",
           duration_cast<Duration>(minutes(15)), "warning", subject,
           fmt::format("{}: not ready for the next billing cycle", t),
           fmt::format("'ballast status' shows which condition of '{}' fails; fix it before "
                       "the next freeze.",
                       t)));
  rules.push_back(rule("BallastTenantNotReady",
                       not_ready + " == 1 and on(tenant) " + frozen + " == 1",
                       duration_cast<Duration>(minutes(5)), "critical", subject,
                       fmt::format("{}: not ready during a change freeze", t),
                       fmt::format("'{}' is in its billing freeze and not ready. 'ballast status' "
                                   "shows the failing condition; fix it now, other changes wait.",
                                   t)));
  return rules;
}

struct ClusterSchedule {
  std::string name;
  const spec::BackupPolicy* policy;
};

std::vector<AlertRule> cluster_rules(const spec::Spec& spec, const ClusterSchedule& cluster) {
  const std::pair<std::string, std::string> subject{"cluster", cluster.name};
  const std::vector<std::pair<std::string, Duration>> kinds = {
      {"full", cluster.policy->schedule.full},
      {"diff", cluster.policy->schedule.differential},
      {"incr", cluster.policy->schedule.incremental}};
  std::vector<AlertRule> rules;
  for (const auto& [kind, schedule] : kinds) {
    if (schedule.count() <= 0) continue;
    rules.push_back(rule(
        "BallastClusterBackupStale",
        selector(metric::kBackupAge, {subject, {"kind", kind}}) + " > " + seconds_of(2 * schedule),
        duration_cast<Duration>(minutes(15)), "warning", subject,
        fmt::format("{}: no {} backup for twice its schedule of {}", cluster.name, kind,
                    spec::format_duration(schedule)),
        fmt::format("The newest {} backup of cluster '{}' is older than two scheduled runs. "
                    "Check the repositories and the backup jobs, then run 'ballast backup "
                    "cluster {} --type {}'.",
                    kind, cluster.name, cluster.name, kind)));
  }
  std::optional<Duration> tightest;
  for (const auto& tenant : spec.tenants) {
    if (cluster_of(tenant) != cluster.name) continue;
    const Duration rpo = tenant.continuity.tightest_rpo();
    tightest = tightest ? std::min(*tightest, rpo) : rpo;
  }
  if (tightest) {
    rules.push_back(rule(
        "BallastArchiveLagging",
        selector(metric::kArchiveLag, {subject}) + " > " + seconds_of(*tightest),
        duration_cast<Duration>(minutes(5)), "critical", subject,
        fmt::format("{}: WAL archiving lags beyond the tightest tenant RPO ({})", cluster.name,
                    spec::format_duration(*tightest)),
        fmt::format("Cluster '{}' has not archived WAL for {{{{ $value | humanizeDuration }}}}, "
                    "so its tenants' RPO is at risk. Check archive_command errors in the "
                    "PostgreSQL log and that the repositories are reachable.",
                    cluster.name)));
  }
  return rules;
}

std::vector<AlertRule> platform_rules() {
  const std::pair<std::string, std::string> none;
  const std::string disk = name_of(metric::kDiskFreeRatio);
  std::vector<AlertRule> rules;
  rules.push_back(rule("BallastDiskHeadroomLow", disk + " < 0.10",
                       duration_cast<Duration>(minutes(10)), "warning", none,
                       "The state directory's file system is over 90% full",
                       "Free space or grow the volume of the state directory before backups "
                       "and WAL archiving start to fail; 'ballast backup expire' drops "
                       "backups beyond retention."));
  rules.push_back(rule("BallastDiskHeadroomLow", disk + " < 0.05",
                       duration_cast<Duration>(minutes(5)), "critical", none,
                       "The state directory's file system is over 95% full",
                       "Backups and WAL archiving are about to fail. Free space or grow the "
                       "volume now."));
  rules.push_back(
      rule("BallastCertificateExpiring",
           name_of(metric::kCertificateExpiry) + " < " + seconds_of(kCertificateWarning),
           duration_cast<Duration>(minutes(15)), "warning", none,
           "Certificate {{ $labels.certificate }} expires within 14 days",
           "Renew or replace the certificate named by the 'certificate' label before "
           "clients reject it."));
  rules.push_back(rule("BallastComponentDown", name_of(metric::kComponentUp) + " == 0",
                       duration_cast<Duration>(minutes(2)), "critical", none,
                       "{{ $labels.kind }} component {{ $labels.component }} is down",
                       "The supervisor could not keep it running. 'ballast status' shows it; "
                       "read its log in the state directory and fix the cause."));
  return rules;
}

void emit_rule(YAML::Emitter& out, const AlertRule& r) {
  out << YAML::BeginMap;
  out << YAML::Key << "alert" << YAML::Value << r.alert;
  out << YAML::Key << "expr" << YAML::Value << r.expr;
  out << YAML::Key << "for" << YAML::Value << prometheus_duration(r.for_duration);
  out << YAML::Key << "labels" << YAML::Value << YAML::BeginMap;
  for (const auto& [key, value] : r.labels) out << YAML::Key << key << YAML::Value << value;
  out << YAML::EndMap;
  out << YAML::Key << "annotations" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "summary" << YAML::Value << r.summary;
  out << YAML::Key << "description" << YAML::Value << r.description;
  out << YAML::EndMap << YAML::EndMap;
}

}  // namespace

const std::string& AlertRule::severity() const {
  static const std::string kNone;
  for (const auto& [key, value] : labels) {
    if (key == "severity") return value;
  }
  return kNone;
}

std::vector<RuleGroup> tenant_alert_rules(const spec::Spec& spec, const spec::Tenant& tenant) {
  RuleGroup group{"ballast-tenant-" + tenant.name, continuity_rules(spec, tenant)};
  for (auto& r : drill_rules(tenant)) group.rules.push_back(std::move(r));
  for (auto& r : service_rules(tenant)) group.rules.push_back(std::move(r));
  return {std::move(group)};
}

std::vector<RuleGroup> cluster_alert_rules(const spec::Spec& spec, std::string_view cluster) {
  std::vector<RuleGroup> groups;
  for (const auto& pool : spec.pools) {
    if (pool.name != cluster) continue;
    groups.push_back(
        {"ballast-cluster-" + pool.name, cluster_rules(spec, {pool.name, &pool.backup})});
  }
  for (const auto& stack : spec.stacks) {
    if (stack.name != cluster) continue;
    // A pool and a stack may share a name; group names must stay unique.
    const std::string prefix = spec.find_pool(stack.name) != nullptr ? "stack-" : "";
    groups.push_back({"ballast-cluster-" + prefix + stack.name,
                      cluster_rules(spec, {stack.name, &stack.backup})});
  }
  return groups;
}

std::vector<RuleGroup> alert_rules(const spec::Spec& spec) {
  std::vector<RuleGroup> groups;
  groups.push_back({"ballast-platform", platform_rules()});
  const auto append = [&groups](std::vector<RuleGroup> more) {
    for (auto& g : more) groups.push_back(std::move(g));
  };
  for (const auto& pool : spec.pools) append(cluster_alert_rules(spec, pool.name));
  for (const auto& stack : spec.stacks) {
    if (spec.find_pool(stack.name) == nullptr) append(cluster_alert_rules(spec, stack.name));
  }
  for (const auto& tenant : spec.tenants) append(tenant_alert_rules(spec, tenant));
  return groups;
}

std::string render_alert_rules_yaml(const spec::Spec& spec) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "groups" << YAML::Value << YAML::BeginSeq;
  for (const auto& group : alert_rules(spec)) {
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << group.name;
    out << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
    for (const auto& r : group.rules) emit_rule(out, r);
    out << YAML::EndSeq << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string promql_string(std::string_view value) {
  return "\"" + escape_label_value(value) + "\"";
}

std::string prometheus_duration(Duration duration) {
  if (duration.count() <= 0) return "0s";
  return spec::format_duration(duration);
}

}  // namespace ballast::monitor
