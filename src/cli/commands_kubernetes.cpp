// Offline Kubernetes commands: render the spec to a kustomize tree (a directory or a Git
// branch, committed only when it changed) and report drift between the spec and the branch.
#include <fmt/format.h>

#include "cli/context.h"
#include "runtime/kubernetes/commands.h"

namespace ballast::cli {
namespace {

namespace k8s = runtime::kubernetes;

struct KubernetesArgs {
  std::string out_dir;
  std::string git_dir;
  std::string branch;
  std::string path;
  std::string message;
  std::string repo_url;
  std::string cert_resolver;
};

nlohmann::json plain(const k8s::Json& json) { return nlohmann::json::parse(json.dump()); }

std::string differences_text(const std::vector<k8s::Difference>& differences) {
  std::string out;
  for (const auto& d : differences) {
    const auto j = k8s::to_json(d);
    out += fmt::format("  {:<8} {}{}{}\n", j.value("change", ""),
                       d.object.empty() ? d.path : d.object + " (" + d.path + ")",
                       d.owner.empty() ? "" : "  [" + d.owner + "]",
                       d.fields.empty() ? "" : "  " + fmt::format("{}", fmt::join(d.fields, ", ")));
  }
  return out;
}

k8s::RenderOptions options_of(const KubernetesArgs& a) {
  k8s::RenderOptions options;
  if (!a.repo_url.empty()) options.repo_url = a.repo_url;
  if (!a.cert_resolver.empty()) options.tls_cert_resolver = a.cert_resolver;
  options.repo_path = a.path;
  return options;
}

core::Result<int> render(const Context& ctx, const KubernetesArgs& a) {
  if (a.out_dir.empty() == a.git_dir.empty()) {
    return core::Error(core::ErrorCode::kInvalidArgument,
                       "say where to write: -o DIR or --git REPO_DIR")
        .with_hint(
            "'ballast render kubernetes -o k8s/' writes a directory; '--git gitops/' "
            "commits to a Git repository.");
  }
  BALLAST_ASSIGN_OR_RETURN(auto spec, ctx.load_spec());
  if (!a.out_dir.empty()) {
    BALLAST_ASSIGN_OR_RETURN(auto report, k8s::render_to_directory(spec, options_of(a), a.out_dir));
    std::string text = fmt::format(
        "Rendered {} tenants into {}: {} files written, {} unchanged, {} removed.\n"
        "Build an environment with: kubectl kustomize {}/overlays/<environment>",
        spec.tenants.size(), a.out_dir, report.written.written, report.written.unchanged,
        report.written.removed, a.out_dir);
    for (const auto& w : report.warnings) text += "\nwarning: " + w;
    return ctx.emit(plain(k8s::to_json(report)), text);
  }
  BALLAST_ASSIGN_OR_RETURN(
      auto report,
      k8s::render_to_git(spec, options_of(a), {a.git_dir, a.branch, a.path}, a.message));
  std::string text =
      report.commit.is_committed
          ? fmt::format("Committed {} to {} ({} changes):\n{}",
                        report.commit.commit_id.substr(0, 12), report.commit.branch,
                        report.commit.changes.size(), differences_text(report.commit.changes))
          : fmt::format("Nothing to commit: {} already holds this render ({}).",
                        report.commit.branch, report.commit.commit_id.substr(0, 12));
  for (const auto& w : report.warnings) text += "\nwarning: " + w;
  return ctx.emit(plain(k8s::to_json(report)), text);
}

core::Result<int> drift(const Context& ctx, const KubernetesArgs& a) {
  BALLAST_ASSIGN_OR_RETURN(auto spec, ctx.load_spec());
  BALLAST_ASSIGN_OR_RETURN(auto differences,
                           k8s::drift_from_git(spec, options_of(a), {a.git_dir, a.branch, a.path}));
  nlohmann::json json = {{"drift", !differences.empty()}, {"differences", nlohmann::json::array()}};
  for (const auto& d : differences) json["differences"].push_back(plain(k8s::to_json(d)));
  const std::string text =
      differences.empty() ? "No drift: the branch holds what the spec renders."
                          : fmt::format(
                                "{} objects differ from what the spec renders:\n{}Re-render with "
                                "'ballast render kubernetes --git {}' or fix the spec.",
                                differences.size(), differences_text(differences), a.git_dir);
  ctx.emit(json, text);
  return differences.empty() ? 0 : 1;
}

}  // namespace

void add_kubernetes_commands(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<KubernetesArgs>();
  auto* render_cmd = add_command(app, "render", "Render the spec for another platform (offline)");
  render_cmd->require_subcommand(1);
  add_monitor_render_commands(*render_cmd, ctx);
  auto* kube = add_command(
      *render_cmd, "kubernetes",
      "Render the spec to a kustomize tree for Kubernetes: namespaces, Odoo Deployments, "
      "Traefik routes, CloudNativePG clusters, Redis, NetworkPolicies, quotas, backup CronJobs, "
      "monitoring and an Argo CD Application (see docs/kubernetes.md). With --git the tree is "
      "committed, only when it changed, with a message listing the changes per tenant",
      "  ballast render kubernetes -f ballast.yaml -o k8s/\n"
      "  kubectl kustomize k8s/overlays/production | kubectl apply -f -\n"
      "  ballast render kubernetes --git ../gitops --branch main --message \"Add tenant acme\"\n");
  kube->add_option("-o,--out", args->out_dir, "Directory to write the tree into");
  kube->add_option("--git", args->git_dir, "A Git repository to commit the tree to");
  kube->add_option("--branch", args->branch, "Branch (default: the repository's HEAD branch)");
  kube->add_option("--path", args->path, "Folder of the tree inside the repository");
  kube->add_option("--message", args->message, "First line of the commit message");
  kube->add_option("--repo-url", args->repo_url, "The repository URL Argo CD pulls from");
  kube->add_option("--cert-resolver", args->cert_resolver,
                   "Traefik certificate resolver (default: per-tenant TLS Secrets)");
  kube->callback([&ctx, args] {
    ctx.run = [&ctx, args] { return ctx.guard([&] { return render(ctx, *args); }); };
  });
  auto* drift_cmd =
      add_command(app, "drift", "Compare what the spec renders with what is deployed");
  drift_cmd->require_subcommand(1);
  auto* kdrift = add_command(
      *drift_cmd, "kubernetes",
      "List the objects where a Git branch differs from what the spec renders now (hand edits, "
      "a stale render); exit code 1 when anything differs",
      "  ballast drift kubernetes --git ../gitops\n"
      "  ballast drift kubernetes --git ../gitops --branch main --output json\n");
  kdrift->add_option("--git", args->git_dir, "The Git repository")->required();
  kdrift->add_option("--branch", args->branch, "Branch (default: HEAD's)");
  kdrift->add_option("--path", args->path, "Folder of the tree inside the repository");
  kdrift->add_option("--repo-url", args->repo_url, "As given to render");
  kdrift->add_option("--cert-resolver", args->cert_resolver, "As given to render");
  kdrift->callback([&ctx, args] {
    ctx.run = [&ctx, args] { return ctx.guard([&] { return drift(ctx, *args); }); };
  });
}

}  // namespace ballast::cli
