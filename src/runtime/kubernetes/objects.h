// Internal to the renderer: builders for the pieces every manifest repeats — metadata and
// labels, security contexts, resources, quantities, secret references.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/kubernetes/document.h"
#include "runtime/kubernetes/layout.h"

namespace ballast::runtime::kubernetes {

// Label keys (Kubernetes' recommended ones plus Ballast's own).
inline constexpr std::string_view kLabelName = "app.kubernetes.io/name";
inline constexpr std::string_view kLabelComponent = "app.kubernetes.io/component";
inline constexpr std::string_view kLabelManagedBy = "app.kubernetes.io/managed-by";
inline constexpr std::string_view kLabelPartOf = "app.kubernetes.io/part-of";
inline constexpr std::string_view kLabelTenant = "ballast.io/tenant";
inline constexpr std::string_view kLabelPool = "ballast.io/pool";
inline constexpr std::string_view kLabelStack = "ballast.io/stack";
inline constexpr std::string_view kLabelTier = "ballast.io/tier";
inline constexpr std::string_view kLabelEnvironment = "ballast.io/environment";
inline constexpr std::string_view kAnnotationKeys = "ballast.io/secret-keys";

// The uid/gid of Odoo and Ballast in the images built from docker/; Redis' official image uses
// 999, the mail catcher runs as nobody.
inline constexpr std::int64_t kAppUid = 10001;
inline constexpr std::int64_t kRedisUid = 999;
inline constexpr std::int64_t kNobodyUid = 65534;

// {apiVersion, kind, metadata: {name, labels}} with Ballast's common labels merged into
// `labels` (managed-by, part-of).
Json make_object(std::string_view api_version, std::string_view kind, std::string_view name,
                 const Scope& scope, Json labels = Json::object());

// The labels that say whose an object is: tenant, pool/stack, tier.
Json tenant_labels(const Scope& scope, const TenantEnvironment& tenant);
Json site_labels(const Scope& scope);

// Pod and container security contexts meeting the "restricted" Pod Security Standard.
Json pod_security(std::int64_t uid);
Json container_security(bool read_only_root = true);

// Memory as an exact binary quantity ("1536Mi", "2Gi"), rounded up to a MiB.
std::string memory_quantity(std::uint64_t bytes);
// CPU in millicores ("250m", "2").
std::string cpu_quantity(std::uint64_t millicores);

// requests {cpu, memory} and limits {memory}: no CPU limit, so latency is not throttled.
Json resources(std::uint64_t cpu_millicores, std::uint64_t memory_request,
               std::uint64_t memory_limit);

// An env entry whose value comes from a Secret key.
Json secret_env(std::string_view name, std::string_view secret, std::string_view key);
Json plain_env(std::string_view name, std::string_view value);

// An empty Secret to be filled outside Git (kubectl, External Secrets with creationPolicy
// Merge): its keys are listed in an annotation. Never has data.
Json secret_skeleton(std::string_view name, const Scope& scope, Json labels, std::string_view keys,
                     std::string_view purpose);

// A NetworkPolicy peer: pods with `labels` in this namespace, or in the namespace `ns`.
Json pods_peer(Json labels);
Json namespace_peer(std::string_view ns, Json pod_labels = nullptr);
Json tcp_ports(std::initializer_list<std::int64_t> ports);

}  // namespace ballast::runtime::kubernetes
