// Monitoring: the Redis exporter's ServiceMonitor, a site's PrometheusRule (its cluster's backup
// and archiving rules from monitor/, plus Redis down and CloudNativePG archiving) and each
// tenant's PrometheusRule holding monitor/'s continuity rules — the same rules `ballast render
// alerts` writes — plus Odoo's availability from kube-state-metrics.
#include <fmt/format.h>

#include "monitor/alert_rules.h"
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

Json rule_json(const monitor::AlertRule& r) {
  Json labels = Json::object();
  for (const auto& [key, value] : r.labels) labels[key] = value;
  return {{"alert", r.alert},
          {"expr", r.expr},
          {"for", monitor::prometheus_duration(r.for_duration)},
          {"labels", labels},
          {"annotations", {{"summary", r.summary}, {"description", r.description}}}};
}

// monitor/'s groups first, then the Kubernetes-only `group` of `rules`.
Json prometheus_rule(const Scope& scope, std::string_view name, const Json& labels,
                     const std::vector<monitor::RuleGroup>& shared, std::string_view group,
                     const std::vector<AlertRule>& rules) {
  Json object = make_object("monitoring.coreos.com/v1", "PrometheusRule", name, scope, labels);
  Json groups = Json::array();
  for (const auto& g : shared) {
    Json list = Json::array();
    for (const auto& r : g.rules) list.push_back(rule_json(r));
    groups.push_back({{"name", g.name}, {"rules", list}});
  }
  Json list = Json::array();
  Json rule_labels = Json::object();
  for (const auto& [key, value] : labels.items()) {
    if (key == kLabelTenant) rule_labels["tenant"] = value;
  }
  for (const auto& r : rules) list.push_back(rule_json(r, rule_labels));
  if (!list.empty()) groups.push_back({{"name", group}, {"rules", list}});
  object["spec"] = {{"groups", groups}};
  return object;
}

std::vector<AlertRule> tenant_rules(const Scope& scope, const TenantEnvironment& tenant) {
  const std::string& t = tenant.tenant->name;
  return {{"BallastOdooUnavailable",
           fmt::format(
               "kube_deployment_status_replicas_available{{namespace={},deployment={}}} == 0",
               monitor::promql_string(scope.ns.name), monitor::promql_string(tenant_names(t).web)),
           "5m", "critical", fmt::format("{}: no Odoo web pod is available", t)}};
}

std::vector<AlertRule> site_rules(const Scope& scope) {
  const std::string& ns = scope.ns.name;
  std::vector<AlertRule> rules{
      {"BallastRedisDown", fmt::format("redis_up{{namespace={}}} == 0", monitor::promql_string(ns)),
       "5m", scope.ns.is_production ? "critical" : "warning",
       fmt::format("Redis of '{}' is down", scope.ns.site->name)}};
  if (scope.ns.is_production && archive_repository(scope.spec, *scope.ns.site) != nullptr) {
    rules.push_back(
        {"BallastWalArchivingLate",
         fmt::format("cnpg_pg_stat_archiver_seconds_since_last_archival{{namespace={}}} > 900",
                     monitor::promql_string(ns)),
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
  // The cluster's backup and archiving rules watch production only: copies are not backed up.
  const auto shared = scope.ns.is_production
                          ? monitor::cluster_alert_rules(scope.spec, scope.ns.site->name)
                          : std::vector<monitor::RuleGroup>{};
  return {monitor, prometheus_rule(scope, names::fit(scope.ns.site->name, "platform"), labels,
                                   shared, "ballast-kubernetes", site_rules(scope))};
}

Json alert_rules(const Scope& scope, const TenantEnvironment& tenant) {
  return prometheus_rule(scope, names::fit(tenant.tenant->name, "continuity"),
                         tenant_labels(scope, tenant),
                         monitor::tenant_alert_rules(scope.spec, *tenant.tenant),
                         "ballast-kubernetes", tenant_rules(scope, tenant));
}

}  // namespace ballast::runtime::kubernetes
