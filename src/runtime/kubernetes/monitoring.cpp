// Monitoring: the Redis exporter's ServiceMonitor, a site's PrometheusRule (Redis down, WAL
// archiving late) and each tenant's continuity rules, with thresholds from its targets.
//
// The tenant rules use the metric names of DESIGN.md/issue 6 (ballast_rpo_seconds,
// ballast_drill_success, …) published by the Ballast API the jobs report to.
#include <fmt/format.h>

#include "runtime/kubernetes/names.h"
#include "runtime/kubernetes/objects.h"
#include "runtime/kubernetes/parts.h"

namespace ballast::runtime::kubernetes {
namespace {

struct AlertRule {
  std::string alert;
  std::string expr;
  std::string for_duration;
  std::string severity;
  std::string summary;
};

Json rule_json(const AlertRule& r, const Json& labels) {
  Json rule_labels = labels;
  rule_labels["severity"] = r.severity;
  return {{"alert", r.alert},
          {"expr", r.expr},
          {"for", r.for_duration},
          {"labels", rule_labels},
          {"annotations", {{"summary", r.summary}}}};
}

Json prometheus_rule(const Scope& scope, std::string_view name, const Json& labels,
                     std::string_view group, const std::vector<AlertRule>& rules) {
  Json object = make_object("monitoring.coreos.com/v1", "PrometheusRule", name, scope, labels);
  Json list = Json::array();
  Json rule_labels = Json::object();
  for (const auto& [key, value] : labels.items()) {
    if (key == kLabelTenant) rule_labels["tenant"] = value;
  }
  for (const auto& r : rules) list.push_back(rule_json(r, rule_labels));
  object["spec"] = {{"groups", Json::array({{{"name", group}, {"rules", list}}})}};
  return object;
}

std::vector<AlertRule> tenant_rules(const Scope& scope, const TenantEnvironment& tenant) {
  const std::string& t = tenant.tenant->name;
  const auto rpo = tenant.tenant->continuity.tightest_rpo().count();
  const auto rto = tenant.tenant->continuity.tightest_rto().count();
  return {
      {"BallastRpoAtRisk", fmt::format("ballast_rpo_seconds{{tenant=\"{}\"}} > {}", t, rpo), "5m",
       "critical",
       fmt::format("{}: the data that could be lost now exceeds its RPO of {}s", t, rpo)},
      {"BallastTenantBackupMissing",
       fmt::format("ballast_backup_age_seconds{{tenant=\"{}\",kind=\"tenant\"}} > {}", t,
                   2 * 86400),
       "15m", "warning", fmt::format("{}: no tenant backup for two days", t)},
      {"BallastDrillFailed", fmt::format("ballast_drill_success{{tenant=\"{}\"}} == 0", t), "0m",
       "critical", fmt::format("{}: the last restore drill failed", t)},
      {"BallastDrillRtoOverTarget",
       fmt::format("ballast_drill_rto_seconds{{tenant=\"{}\"}} > {}", t, rto), "0m", "warning",
       fmt::format("{}: the last drill took longer than the RTO of {}s", t, rto)},
      {"BallastJourneyFailing", fmt::format("ballast_journey_success{{tenant=\"{}\"}} == 0", t),
       "30m", "critical", fmt::format("{}: a business journey has been failing for 30 minutes", t)},
      {"BallastOdooUnavailable",
       fmt::format(
           "kube_deployment_status_replicas_available{{namespace=\"{}\",deployment=\"{}\"}} == 0",
           scope.ns.name, tenant_names(t).web),
       "5m", "critical", fmt::format("{}: no Odoo web pod is available", t)}};
}

std::vector<AlertRule> site_rules(const Scope& scope) {
  const std::string& ns = scope.ns.name;
  std::vector<AlertRule> rules{{"BallastRedisDown",
                                fmt::format("redis_up{{namespace=\"{}\"}} == 0", ns), "5m",
                                scope.ns.is_production ? "critical" : "warning",
                                fmt::format("Redis of '{}' is down", scope.ns.site->name)}};
  if (scope.ns.is_production && archive_repository(scope.spec, *scope.ns.site) != nullptr) {
    rules.push_back(
        {"BallastWalArchivingLate",
         fmt::format("cnpg_pg_stat_archiver_seconds_since_last_archival{{namespace=\"{}\"}} > 900",
                     ns),
         "5m", "critical",
         fmt::format("PostgreSQL of '{}' has not archived WAL for 15 minutes: RPO at risk",
                     scope.ns.site->name)});
  }
  return rules;
}

}  // namespace

std::vector<Json> site_monitoring(const Scope& scope) {
  Json labels = site_labels(scope);
  Json monitor = make_object("monitoring.coreos.com/v1", "ServiceMonitor", kRedis, scope, labels);
  Json selector = Json::object();
  selector[std::string(kLabelName)] = kRedis;
  monitor["spec"] = {{"selector", {{"matchLabels", selector}}},
                     {"endpoints", Json::array({{{"port", "metrics"}, {"interval", "30s"}}})}};
  return {monitor, prometheus_rule(scope, names::fit(scope.ns.site->name, "platform"), labels,
                                   "ballast-platform", site_rules(scope))};
}

Json alert_rules(const Scope& scope, const TenantEnvironment& tenant) {
  return prometheus_rule(scope, names::fit(tenant.tenant->name, "continuity"),
                         tenant_labels(scope, tenant), "ballast-continuity",
                         tenant_rules(scope, tenant));
}

}  // namespace ballast::runtime::kubernetes
