// A namespace's own objects, rendered in its overlay: the Namespace (labels, Pod Security
// "restricted"), its ResourceQuota and LimitRange from the plans of what runs there, the default
// deny NetworkPolicy and DNS.
#include "runtime/kubernetes/objects.h"
#include "runtime/kubernetes/parts.h"
#include "runtime/kubernetes/sizing.h"

namespace ballast::runtime::kubernetes {
namespace {

Json namespace_object(const Scope& scope) {
  Json labels = site_labels(scope);
  labels[std::string(kLabelEnvironment)] = scope.ns.environment;
  if (scope.ns.site && scope.ns.site->kind == UnitKind::kStack && scope.ns.tenants.size() == 1) {
    labels[std::string(kLabelTenant)] = scope.ns.tenants.front().tenant->name;
  }
  labels["pod-security.kubernetes.io/enforce"] = "restricted";
  labels["pod-security.kubernetes.io/enforce-version"] = "v1.31";
  return make_object("v1", "Namespace", scope.ns.name, scope, labels);
}

Json quota(const Scope& scope, const NamespaceBudget& budget) {
  Json q = make_object("v1", "ResourceQuota", "quota", scope, site_labels(scope));
  q["spec"] = {{"hard",
                {{"requests.cpu", cpu_quantity(budget.cpu_request_millicores)},
                 {"requests.memory", memory_quantity(budget.memory_request)},
                 {"limits.memory", memory_quantity(budget.memory_limit)},
                 {"requests.storage", memory_quantity(budget.storage)},
                 {"persistentvolumeclaims", std::to_string(budget.volume_claims)},
                 {"pods", std::to_string(budget.pods)}}}};
  return q;
}

// Defaults for containers that state no resources (operators' helper containers), and a cap at
// the largest container the plans call for.
Json limits(const Scope& scope, const NamespaceBudget& budget) {
  Json l = make_object("v1", "LimitRange", "limits", scope, site_labels(scope));
  l["spec"] = {
      {"limits",
       Json::array({{{"type", "Container"},
                     {"default", {{"memory", "256Mi"}}},
                     {"defaultRequest", {{"cpu", "50m"}, {"memory", "64Mi"}}},
                     {"max", {{"memory", memory_quantity(budget.max_container_memory)}}}}})}};
  return l;
}

Json default_deny(const Scope& scope) {
  Json p = make_object("networking.k8s.io/v1", "NetworkPolicy", "default-deny", scope,
                       site_labels(scope));
  p["spec"] = {{"podSelector", Json::object()},
               {"policyTypes", Json::array({"Ingress", "Egress"})}};
  return p;
}

Json allow_dns(const Scope& scope) {
  Json p =
      make_object("networking.k8s.io/v1", "NetworkPolicy", "allow-dns", scope, site_labels(scope));
  const Json dns = {{"namespaceSelector", Json::object()},
                    {"podSelector", {{"matchLabels", {{"k8s-app", "kube-dns"}}}}}};
  p["spec"] = {
      {"podSelector", Json::object()},
      {"policyTypes", Json::array({"Egress"})},
      {"egress", Json::array({{{"to", Json::array({dns})},
                               {"ports", Json::array({{{"protocol", "UDP"}, {"port", 53}},
                                                      {{"protocol", "TCP"}, {"port", 53}}})}}})}};
  return p;
}

}  // namespace

std::vector<Json> render_namespace_objects(const Scope& scope) {
  const NamespaceBudget budget = namespace_budget(scope.ns);
  std::vector<Json> objects{namespace_object(scope), quota(scope, budget), limits(scope, budget),
                            default_deny(scope), allow_dns(scope)};
  // The overlay sets the namespace anyway; stating it keeps the files unambiguous on their own.
  for (std::size_t i = 1; i < objects.size(); ++i) {
    objects[i]["metadata"]["namespace"] = scope.ns.name;
  }
  return objects;
}

}  // namespace ballast::runtime::kubernetes
