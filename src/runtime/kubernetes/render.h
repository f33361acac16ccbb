// `ballast render kubernetes`: the spec rendered to a kustomize tree for GitOps (pure; no I/O).
//
// The tree (docs/kubernetes.md has the full map):
//   base/platform/            the platform namespace's objects (the mail catcher of copies)
//   base/pools/<pool>/        a pool's PostgreSQL (CloudNativePG), Redis, policies, monitoring
//   base/stacks/<stack>/      the same for a dedicated stack
//   base/tenants/<tenant>/    a tenant's Odoo, routes, database, jobs and alert rules
//   overlays/<env>/           one per environment (production, then each copy's name): per
//                             namespace a kustomization that sets the namespace, adds the
//                             namespace's own objects (quota, default-deny…) and, for copies,
//                             patches the base into the copy (generated from the difference)
//   argocd/                   one Argo CD Application per overlay
//   README.md                 what is where and how to apply it
// Base objects carry no namespace: each overlay places them. No secret value is ever rendered:
// Secrets appear as empty, labelled skeletons that an operator or External Secrets fills.
#pragma once

#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "runtime/kubernetes/document.h"
#include "spec/model.h"

namespace ballast::runtime::kubernetes {

// Container images. Pin them (a tag naming a version, or a digest); docs/kubernetes.md says how
// to build the two Ballast-made ones from docker/.
struct Images {
  std::string odoo = "registry.example.com/ballast/odoo:18.0";
  std::string ballast = "registry.example.com/ballast/ballast:0.1.0";
  std::string postgres = "ghcr.io/cloudnative-pg/postgresql:15.10";
  std::string redis = "docker.io/library/redis:7.0.15-bookworm";
  std::string redis_exporter = "docker.io/oliver006/redis_exporter:v1.62.0";
  std::string mail_catcher = "docker.io/axllent/mailpit:v1.20.4";
};

// What the spec does not say about the cluster it is rendered for. Defaults suit a cluster with
// Traefik, CloudNativePG (+ the Barman Cloud plugin), prometheus-operator and Argo CD installed
// in their usual namespaces.
struct RenderOptions {
  // Where Argo CD finds this tree: repository URL, revision and the folder holding the tree.
  std::string repo_url = "https://git.example.com/platform/ballast-gitops.git";
  std::string target_revision = "main";
  std::string repo_path;  // "" when the tree is at the repository's root
  std::string argocd_namespace = "argocd";
  std::string argocd_project = "default";
  // Namespaces of the platform's services, for NetworkPolicies.
  std::string platform_namespace = "ballast-system";
  std::string traefik_namespace = "traefik";
  std::string monitoring_namespace = "monitoring";
  std::string cnpg_namespace = "cnpg-system";
  // TLS: a Traefik certificate resolver; empty: each tenant's certificate is read from the
  // Secret "<tenant>-tls" (e.g. issued by cert-manager).
  std::string tls_cert_resolver;
  // Storage classes; empty: the cluster's default. Tenant file stores need ReadWriteMany.
  std::string rwx_storage_class = "shared-files";
  std::string rwo_storage_class;
  // Where Ballast's jobs report results (backups, drills, journeys): the Ballast API.
  std::string api_url = "http://ballast-api.ballast-system.svc:7480";
  Images images;
};

// A rendered tree: relative path → file content, plus what the operator should know.
struct Tree {
  std::map<std::string, std::string> files;
  // Things rendered in a degraded form, e.g. a pool without an S3 repository has no WAL
  // archiving. Sorted; the CLI prints them.
  std::vector<std::string> warnings;
};

// The top-level entries of the tree. Ballast owns these paths in an output directory or a
// repository folder: files under them that the render no longer produces are removed, and
// nothing outside them is touched.
inline constexpr std::array<std::string_view, 4> kTreeRoots = {"README.md", "argocd", "base",
                                                               "overlays"};

// Renders `spec` (loaded and validated by spec::load) to the tree. Deterministic: the same spec
// and options give byte-identical files. kInvalidArgument when the spec cannot be mapped to
// Kubernetes names (e.g. two namespaces would collide, or an environment is named
// "production"), with a hint saying what to rename.
core::Result<Tree> render(const spec::Spec& spec, const RenderOptions& options);

// The objects that `kubectl kustomize overlays/<environment>` builds from the tree, rendered
// directly (namespaces set, environment label added). Tests compare the two, which proves the
// generated overlay patches; kNotFound for an environment the spec does not have.
core::Result<std::vector<Json>> render_environment(const spec::Spec& spec,
                                                   const RenderOptions& options,
                                                   const std::string& environment);

}  // namespace ballast::runtime::kubernetes
