// Builders for the pieces every manifest repeats.
#include "runtime/kubernetes/objects.h"

#include <fmt/format.h>

namespace ballast::runtime::kubernetes {
namespace {

constexpr std::uint64_t kMiB = 1024ULL * 1024;
constexpr std::uint64_t kGiB = 1024 * kMiB;

}  // namespace

Json make_object(std::string_view api_version, std::string_view kind, std::string_view name,
                 const Scope& scope, Json labels) {
  Json all = std::move(labels);
  all[std::string(kLabelManagedBy)] = "ballast";
  all[std::string(kLabelPartOf)] = scope.spec.platform.name;
  Json object = Json::object();
  object["apiVersion"] = api_version;
  object["kind"] = kind;
  object["metadata"] = {{"name", name}, {"labels", std::move(all)}};
  return object;
}

Json site_labels(const Scope& scope) {
  Json labels = Json::object();
  if (!scope.ns.site) return labels;
  const bool is_pool = scope.ns.site->kind == UnitKind::kPool;
  labels[std::string(is_pool ? kLabelPool : kLabelStack)] = scope.ns.site->name;
  labels[std::string(kLabelTier)] = is_pool ? "shared" : "dedicated";
  return labels;
}

Json tenant_labels(const Scope& scope, const TenantEnvironment& tenant) {
  Json labels = Json::object();
  labels[std::string(kLabelTenant)] = tenant.tenant->name;
  labels.update(site_labels(scope));
  return labels;
}

Json pod_security(std::int64_t uid) {
  return {{"runAsNonRoot", true},
          {"runAsUser", uid},
          {"runAsGroup", uid},
          {"fsGroup", uid},
          {"fsGroupChangePolicy", "OnRootMismatch"},
          {"seccompProfile", {{"type", "RuntimeDefault"}}}};
}

Json container_security(bool read_only_root) {
  return {{"allowPrivilegeEscalation", false},
          {"readOnlyRootFilesystem", read_only_root},
          {"capabilities", {{"drop", Json::array({"ALL"})}}}};
}

std::string memory_quantity(std::uint64_t bytes) {
  const std::uint64_t mib = (bytes + kMiB - 1) / kMiB;
  if (mib == 0) return "0";
  if (mib > 0 && (mib * kMiB) % kGiB == 0) return fmt::format("{}Gi", mib * kMiB / kGiB);
  return fmt::format("{}Mi", mib);
}

std::string cpu_quantity(std::uint64_t millicores) {
  if (millicores % 1000 == 0) return fmt::format("{}", millicores / 1000);
  return fmt::format("{}m", millicores);
}

Json resources(std::uint64_t cpu_millicores, std::uint64_t memory_request,
               std::uint64_t memory_limit) {
  return {{"requests",
           {{"cpu", cpu_quantity(cpu_millicores)}, {"memory", memory_quantity(memory_request)}}},
          {"limits", {{"memory", memory_quantity(memory_limit)}}}};
}

Json secret_env(std::string_view name, std::string_view secret, std::string_view key) {
  return {{"name", name}, {"valueFrom", {{"secretKeyRef", {{"name", secret}, {"key", key}}}}}};
}

Json plain_env(std::string_view name, std::string_view value) {
  return {{"name", name}, {"value", value}};
}

Json secret_skeleton(std::string_view name, const Scope& scope, Json labels, std::string_view keys,
                     std::string_view purpose) {
  Json secret = make_object("v1", "Secret", name, scope, std::move(labels));
  secret["metadata"]["annotations"] = {{std::string(kAnnotationKeys), keys},
                                       {"ballast.io/purpose", purpose}};
  secret["type"] = "Opaque";
  return secret;
}

Json pods_peer(Json labels) { return {{"podSelector", {{"matchLabels", std::move(labels)}}}}; }

Json namespace_peer(std::string_view ns, Json pod_labels) {
  Json peer = {{"namespaceSelector", {{"matchLabels", {{"kubernetes.io/metadata.name", ns}}}}}};
  if (!pod_labels.is_null()) peer["podSelector"] = {{"matchLabels", std::move(pod_labels)}};
  return peer;
}

Json tcp_ports(std::initializer_list<std::int64_t> ports) {
  Json list = Json::array();
  for (const std::int64_t port : ports) list.push_back({{"protocol", "TCP"}, {"port", port}});
  return list;
}

}  // namespace ballast::runtime::kubernetes
