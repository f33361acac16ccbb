// Prometheus alerting rules derived from the spec: each tenant's continuity targets, each pool's
// and stack's backup schedule, and the platform's own health. One source for `ballast render
// alerts` and the Kubernetes PrometheusRule objects; the metric names come from metrics.h.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spec/model.h"
#include "spec/units.h"

namespace ballast::monitor {

struct AlertRule {
  std::string alert;
  std::string expr;  // PromQL; label values from the spec are escaped
  spec::Duration for_duration{};
  // Always "severity"; "tenant" or "cluster" when the rule is about one.
  std::vector<std::pair<std::string, std::string>> labels;
  std::string summary;
  std::string description;  // what happened and what to do next

  [[nodiscard]] const std::string& severity() const;
};

struct RuleGroup {
  std::string name;
  std::vector<AlertRule> rules;
};

// The rule groups for `spec`: "ballast-platform", then one "ballast-cluster-<pool|stack>" per
// pool and stack, then one "ballast-tenant-<name>" per tenant. Pure; the same spec always
// gives the same rules in the same order.
std::vector<RuleGroup> alert_rules(const spec::Spec& spec);

// The groups of one tenant, and of one pool or stack (by name; none when there is no such
// pool or stack): the Kubernetes renderer puts each owner's rules beside its objects.
std::vector<RuleGroup> tenant_alert_rules(const spec::Spec& spec, const spec::Tenant& tenant);
std::vector<RuleGroup> cluster_alert_rules(const spec::Spec& spec, std::string_view cluster);

// A Prometheus rules file (`groups:` …) holding alert_rules(spec).
std::string render_alert_rules_yaml(const spec::Spec& spec);

// `value` as a PromQL double-quoted string literal, escaped.
std::string promql_string(std::string_view value);

// A duration as Prometheus spells it ("90s" → "1m30s", 0 → "0s").
std::string prometheus_duration(spec::Duration duration);

}  // namespace ballast::monitor
