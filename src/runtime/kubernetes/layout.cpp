// Environments and namespaces of a spec: where each pool, stack and tenant copy is placed.
#include "runtime/kubernetes/layout.h"

#include <algorithm>
#include <map>
#include <set>

#include "runtime/kubernetes/names.h"

namespace ballast::runtime::kubernetes {
namespace {

core::Error name_error(std::string message, std::string hint) {
  return core::Error(core::ErrorCode::kInvalidArgument, std::move(message))
      .with_hint(std::move(hint));
}

std::vector<Site> sites_of(const spec::Spec& spec) {
  std::vector<Site> sites;
  for (const auto& pool : spec.pools) {
    sites.push_back({UnitKind::kPool, pool.name, &pool.postgres, &pool.redis, &pool.backup});
  }
  for (const auto& stack : spec.stacks) {
    sites.push_back({UnitKind::kStack, stack.name, &stack.postgres, &stack.redis, &stack.backup});
  }
  return sites;
}

bool is_placed_on(const spec::Tenant& tenant, const Site& site) {
  if (site.kind == UnitKind::kPool) {
    return tenant.tier == spec::Tier::kShared && tenant.pool == site.name;
  }
  return tenant.tier == spec::Tier::kDedicated && tenant.stack == site.name;
}

// The tenant's environment named `env`, if it has one.
std::optional<TenantEnvironment> tenant_in(const spec::Spec& spec, const spec::Tenant& tenant,
                                           const std::string& env) {
  TenantEnvironment view{&tenant, spec.find_plan(tenant.plan), env, env == kProduction, {}};
  if (view.is_production) {
    view.domains = tenant.domains;
    return view;
  }
  for (const auto& copy : tenant.environments) {
    if (copy.name == env) {
      view.domains = copy.domains;
      return view;
    }
  }
  return std::nullopt;
}

core::Result<std::vector<std::string>> environments_of(const spec::Spec& spec) {
  std::set<std::string> copies;
  for (const auto& tenant : spec.tenants) {
    for (const auto& env : tenant.environments) {
      if (env.name == kProduction) {
        return name_error("environment 'production' of tenant '" + tenant.name +
                              "' has the name of the production overlay",
                          "Rename the copy (e.g. 'staging' or 'preprod').");
      }
      copies.insert(env.name);
    }
  }
  std::vector<std::string> envs{std::string(kProduction)};
  envs.insert(envs.end(), copies.begin(), copies.end());
  return envs;
}

core::Status check_references(const spec::Spec& spec) {
  for (const auto& tenant : spec.tenants) {
    if (spec.find_plan(tenant.plan) == nullptr) {
      return name_error("tenant '" + tenant.name + "' has no plan '" + tenant.plan + "'",
                        "Validate the spec with 'ballast validate' first.");
    }
  }
  return core::ok();
}

}  // namespace

const spec::Repository* archive_repository(const spec::Spec& spec, const Site& site) {
  for (const auto& name : site.backup->repositories) {
    const spec::Repository* repo = spec.find_repository(name);
    if (repo != nullptr && repo->type == spec::RepositoryType::kS3) return repo;
  }
  return nullptr;
}

core::Result<Layout> plan_layout(const spec::Spec& spec, const RenderOptions& options) {
  BALLAST_TRY(check_references(spec));
  Layout layout;
  BALLAST_ASSIGN_OR_RETURN(layout.environments, environments_of(spec));
  std::map<std::string, std::string> owners;  // namespace → what it is for, to find collisions
  auto claim = [&](const std::string& ns, const std::string& owner) -> core::Status {
    auto [it, inserted] = owners.emplace(ns, owner);
    if (inserted) return core::ok();
    return name_error("namespace '" + ns + "' would hold both " + it->second + " and " + owner,
                      "Rename one of them so that their Kubernetes namespaces differ.");
  };
  BALLAST_TRY(claim(options.platform_namespace, "the platform"));
  layout.namespaces.push_back({options.platform_namespace, std::string(kProduction), true, {}, {}});
  for (const auto& env : layout.environments) {
    for (const auto& site : sites_of(spec)) {
      Namespace ns{env == kProduction ? site.name : names::fit(site.name, env),
                   env,
                   env == kProduction,
                   site,
                   {}};
      for (const auto& tenant : spec.tenants) {
        if (!is_placed_on(tenant, site)) continue;
        if (auto view = tenant_in(spec, tenant, env)) ns.tenants.push_back(std::move(*view));
      }
      if (!ns.is_production && ns.tenants.empty()) continue;
      const char* what = site.kind == UnitKind::kPool ? "pool '" : "stack '";
      BALLAST_TRY(claim(ns.name, what + site.name + "' (" + env + ")"));
      layout.namespaces.push_back(std::move(ns));
    }
  }
  return layout;
}

}  // namespace ballast::runtime::kubernetes
