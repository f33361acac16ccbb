// Internal to the renderer: the shape of a render — environments, the namespaces of each, and
// which pool, stack and tenants are placed in each namespace — and the unit renderers' interface.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "runtime/kubernetes/document.h"
#include "runtime/kubernetes/render.h"
#include "spec/model.h"

namespace ballast::runtime::kubernetes {

inline constexpr std::string_view kProduction = "production";

enum class UnitKind { kPlatform, kPool, kStack, kTenant };

// A pool or a dedicated stack: where tenants' PostgreSQL and Redis run.
struct Site {
  UnitKind kind = UnitKind::kPool;  // kPool or kStack
  std::string name;
  const spec::PostgresSettings* postgres = nullptr;
  const spec::RedisSettings* redis = nullptr;
  const spec::BackupPolicy* backup = nullptr;
};

// One environment of one tenant: production or one of its copies.
struct TenantEnvironment {
  const spec::Tenant* tenant = nullptr;
  const spec::Plan* plan = nullptr;
  std::string name;  // "production" or the copy's name
  bool is_production = true;
  std::vector<std::string> domains;
};

// A namespace of one environment: a site's (with the tenants placed there) or the platform's.
struct Namespace {
  std::string name;
  std::string environment;
  bool is_production = true;
  std::optional<Site> site;  // empty for the platform namespace
  std::vector<TenantEnvironment> tenants;
};

struct Layout {
  std::vector<std::string> environments;  // production first, then by name
  std::vector<Namespace> namespaces;      // by environment (as above), then name
};

// Environments and namespaces of `spec`; kInvalidArgument when names collide.
core::Result<Layout> plan_layout(const spec::Spec& spec, const RenderOptions& options);

// Where a unit is rendered.
struct Scope {
  const spec::Spec& spec;
  const RenderOptions& options;
  const Namespace& ns;
};

// A rendered object and the file of its unit folder that holds it.
struct Manifest {
  std::string file;
  Json object;
};

// The unit renderers, one file each. Objects carry no namespace; `scope.ns` says which
// namespace (and so which environment) they are rendered for.
std::vector<Manifest> render_tenant(const Scope& scope, const TenantEnvironment& tenant);
std::vector<Manifest> render_site(const Scope& scope);
std::vector<Manifest> render_platform(const Scope& scope);
// A namespace's own objects: Namespace, ResourceQuota, LimitRange, default-deny and DNS policies.
std::vector<Json> render_namespace_objects(const Scope& scope);
// One Argo CD Application per environment.
std::vector<Json> render_applications(const spec::Spec& spec, const RenderOptions& options,
                                      const Layout& layout);

// The S3 repository a site archives to (the first s3 one of its backup policy), if any.
const spec::Repository* archive_repository(const spec::Spec& spec, const Site& site);

}  // namespace ballast::runtime::kubernetes
