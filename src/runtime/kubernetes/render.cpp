// The tree: base units rendered for production, per-environment overlays generated from the
// differences, Argo CD Applications and a README.
#include "runtime/kubernetes/render.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "runtime/kubernetes/layout.h"
#include "runtime/kubernetes/objects.h"
#include "runtime/kubernetes/overlay.h"

namespace ballast::runtime::kubernetes {
namespace {

struct UnitRef {
  UnitKind kind;
  std::string dir;  // under base/: "platform", "pools/<name>", "stacks/<name>", "tenants/<name>"
  const TenantEnvironment* tenant = nullptr;
};

std::vector<UnitRef> units_of(const Namespace& ns) {
  if (!ns.site) return {{UnitKind::kPlatform, "platform"}};
  const bool is_pool = ns.site->kind == UnitKind::kPool;
  std::vector<UnitRef> units{{ns.site->kind, (is_pool ? "pools/" : "stacks/") + ns.site->name}};
  for (const auto& tenant : ns.tenants) {
    units.push_back({UnitKind::kTenant, "tenants/" + tenant.tenant->name, &tenant});
  }
  return units;
}

std::vector<Manifest> render_unit(const Scope& scope, const UnitRef& unit) {
  switch (unit.kind) {
    case UnitKind::kPlatform:
      return render_platform(scope);
    case UnitKind::kTenant:
      return render_tenant(scope, *unit.tenant);
    default:
      return render_site(scope);
  }
}

// One YAML file per manifest file name, in order of first appearance; and the base's
// kustomization listing them.
void add_unit_files(Tree& tree, const std::string& dir, const std::vector<Manifest>& manifests) {
  std::vector<std::string> files;
  std::map<std::string, std::vector<Json>> by_file;
  for (const auto& m : manifests) {
    if (by_file.find(m.file) == by_file.end()) files.push_back(m.file);
    by_file[m.file].push_back(m.object);
  }
  for (const auto& file : files) tree.files[dir + "/" + file] = to_yaml_stream(by_file[file]);
  tree.files[dir + "/kustomization.yaml"] = base_kustomization(files);
}

// The kustomization entry placing `unit` in `ns`: the base itself, or an overlay of it.
std::string place_unit(Tree& tree, const Scope& scope, const UnitRef& unit,
                       const std::vector<Manifest>& base, const std::string& ns_dir) {
  const std::string from_ns = "../../../base/" + unit.dir;
  if (scope.ns.is_production) return from_ns;
  const UnitOverlay overlay = diff_unit(base, render_unit(scope, unit));
  if (overlay.is_empty()) return from_ns;
  const std::string dir = ns_dir + "/" + unit.dir;
  if (!overlay.additions.empty())
    tree.files[dir + "/extra.yaml"] = to_yaml_stream(overlay.additions);
  tree.files[dir + "/kustomization.yaml"] =
      unit_kustomization("../../" + from_ns, overlay, !overlay.additions.empty());
  return unit.dir;
}

std::string readme(const spec::Spec& spec, const Layout& layout) {
  std::string text = fmt::format("# {} on Kubernetes\n\n", spec.platform.name);
  text +=
      "Rendered by `ballast render kubernetes` from the spec. Do not edit by hand: `ballast drift\n"
      "kubernetes` reports hand edits and the next render replaces them.\n\n"
      "- Bootstrap Argo CD once: `kubectl apply -k argocd/`; it then syncs each overlay.\n"
      "- Build an overlay offline: `kubectl kustomize overlays/<environment>`.\n"
      "- Secrets are empty skeletons: fill the keys named in each Secret's\n"
      "  `ballast.io/secret-keys` annotation outside Git (kubectl or External Secrets).\n\n"
      "| environment | namespaces |\n|---|---|\n";
  for (const auto& env : layout.environments) {
    std::vector<std::string> names;
    for (const auto& ns : layout.namespaces) {
      if (ns.environment == env) names.push_back(ns.name);
    }
    text += fmt::format("| {} | {} |\n", env, fmt::join(names, ", "));
  }
  return text;
}

std::vector<std::string> warnings_of(const spec::Spec& spec, const Layout& layout) {
  std::vector<std::string> warnings;
  for (const auto& ns : layout.namespaces) {
    if (!ns.is_production) continue;
    if (ns.site && archive_repository(spec, *ns.site) == nullptr) {
      warnings.push_back(fmt::format(
          "{} '{}' has no s3 repository: its PostgreSQL is rendered without WAL archiving or "
          "scheduled backups",
          ns.site->kind == UnitKind::kPool ? "pool" : "stack", ns.site->name));
    }
    for (const auto& tenant : ns.tenants) {
      if (tenant.domains.empty()) {
        warnings.push_back(
            fmt::format("tenant '{}' has no domain: no route is rendered", tenant.tenant->name));
      }
    }
  }
  std::sort(warnings.begin(), warnings.end());
  return warnings;
}

}  // namespace

core::Result<Tree> render(const spec::Spec& spec, const RenderOptions& options) {
  BALLAST_ASSIGN_OR_RETURN(const Layout layout, plan_layout(spec, options));
  Tree tree;
  std::map<std::string, std::vector<Manifest>> bases;
  for (const auto& ns : layout.namespaces) {
    if (!ns.is_production) continue;
    const Scope scope{spec, options, ns};
    for (const auto& unit : units_of(ns)) {
      bases[unit.dir] = render_unit(scope, unit);
      add_unit_files(tree, "base/" + unit.dir, bases[unit.dir]);
    }
  }
  for (const auto& env : layout.environments) {
    std::vector<std::string> ns_dirs;
    for (const auto& ns : layout.namespaces) {
      if (ns.environment != env) continue;
      const Scope scope{spec, options, ns};
      const std::string ns_dir = "overlays/" + env + "/" + ns.name;
      tree.files[ns_dir + "/namespace.yaml"] = to_yaml_stream(render_namespace_objects(scope));
      std::vector<std::string> resources{"namespace.yaml"};
      for (const auto& unit : units_of(ns)) {
        resources.push_back(place_unit(tree, scope, unit, bases[unit.dir], ns_dir));
      }
      tree.files[ns_dir + "/kustomization.yaml"] = namespace_kustomization(ns.name, env, resources);
      ns_dirs.push_back(ns.name);
    }
    tree.files["overlays/" + env + "/kustomization.yaml"] = list_kustomization(ns_dirs);
  }
  tree.files["argocd/applications.yaml"] =
      to_yaml_stream(render_applications(spec, options, layout));
  tree.files["argocd/kustomization.yaml"] = list_kustomization({"applications.yaml"});
  tree.files["README.md"] = readme(spec, layout);
  tree.warnings = warnings_of(spec, layout);
  return tree;
}

core::Result<std::vector<Json>> render_environment(const spec::Spec& spec,
                                                   const RenderOptions& options,
                                                   const std::string& environment) {
  BALLAST_ASSIGN_OR_RETURN(const Layout layout, plan_layout(spec, options));
  if (std::find(layout.environments.begin(), layout.environments.end(), environment) ==
      layout.environments.end()) {
    return core::make_error(core::ErrorCode::kNotFound, "environment '{}' is not in the spec",
                            environment)
        .with_hint("Environments are 'production' and the names of the tenants' copies.");
  }
  std::vector<Json> objects;
  for (const auto& ns : layout.namespaces) {
    if (ns.environment != environment) continue;
    const Scope scope{spec, options, ns};
    std::vector<Json> placed = render_namespace_objects(scope);
    for (const auto& unit : units_of(ns)) {
      for (auto& m : render_unit(scope, unit)) placed.push_back(std::move(m.object));
    }
    for (auto& object : placed) {
      if (object["kind"] != "Namespace") object["metadata"]["namespace"] = ns.name;
      object["metadata"]["labels"][std::string(kLabelEnvironment)] = environment;
      objects.push_back(std::move(object));
    }
  }
  return objects;
}

}  // namespace ballast::runtime::kubernetes
