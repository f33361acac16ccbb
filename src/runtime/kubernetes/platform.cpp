// The platform's own pieces: the mail catcher that neutralized copies send mail to, and the
// Argo CD Applications that apply each overlay.
#include "runtime/kubernetes/objects.h"
#include "runtime/kubernetes/parts.h"

namespace ballast::runtime::kubernetes {
namespace {

constexpr std::int64_t kCatcherWebPort = 8025;

Json catcher_labels() {
  Json labels = Json::object();
  labels[std::string(kLabelName)] = kMailCatcher;
  return labels;
}

Json mail_catcher(const Scope& scope) {
  const Json selector = catcher_labels();
  Json deployment = make_object("apps/v1", "Deployment", kMailCatcher, scope, selector);
  const Json probe = {{"tcpSocket", {{"port", "smtp"}}}, {"periodSeconds", 10}};
  Json container = {
      {"name", "mailpit"},
      {"image", scope.options.images.mail_catcher},
      {"env", Json::array({plain_env("MP_DATABASE", "/data/mailpit.db"),
                           plain_env("MP_MAX_MESSAGES", "5000")})},
      {"ports", Json::array({{{"name", "smtp"}, {"containerPort", kSmtpCatcherPort}},
                             {{"name", "http"}, {"containerPort", kCatcherWebPort}}})},
      {"readinessProbe", probe},
      {"livenessProbe", probe},
      {"resources", resources(50, 64 * kMiB, 256 * kMiB)},
      {"securityContext", container_security()},
      {"volumeMounts", Json::array({{{"name", "data"}, {"mountPath", "/data"}},
                                    {{"name", "tmp"}, {"mountPath", "/tmp"}}})}};
  deployment["spec"] = {
      {"replicas", 1},
      {"revisionHistoryLimit", 5},
      {"selector", {{"matchLabels", selector}}},
      {"template",
       {{"metadata", {{"labels", selector}}},
        {"spec",
         {{"automountServiceAccountToken", false},
          {"securityContext", pod_security(kNobodyUid)},
          {"containers", Json::array({container})},
          {"volumes", Json::array({{{"name", "data"}, {"emptyDir", {{"sizeLimit", "1Gi"}}}},
                                   {{"name", "tmp"}, {"emptyDir", {{"sizeLimit", "64Mi"}}}}})}}}}}};
  Json service = make_object("v1", "Service", kMailCatcher, scope, selector);
  service["spec"] = {
      {"selector", selector},
      {"ports",
       Json::array({{{"name", "smtp"}, {"port", kSmtpCatcherPort}, {"targetPort", "smtp"}},
                    {{"name", "http"}, {"port", kCatcherWebPort}, {"targetPort", "http"}}})}};
  return Json::array({deployment, service});
}

// SMTP from the namespaces of copies only; production never talks to the catcher.
Json catcher_ingress(const Scope& scope) {
  Json policy = make_object("networking.k8s.io/v1", "NetworkPolicy", "mail-catcher-ingress", scope);
  const Json copies = {
      {"namespaceSelector",
       {{"matchLabels", {{std::string(kLabelManagedBy), "ballast"}}},
        {"matchExpressions", Json::array({{{"key", std::string(kLabelEnvironment)},
                                           {"operator", "NotIn"},
                                           {"values", Json::array({kProduction})}}})}}}};
  policy["spec"] = {
      {"podSelector", {{"matchLabels", catcher_labels()}}},
      {"policyTypes", Json::array({"Ingress"})},
      {"ingress",
       Json::array({{{"from", Json::array({copies})}, {"ports", tcp_ports({kSmtpCatcherPort})}}})}};
  return policy;
}

std::string overlay_path(const RenderOptions& options, const std::string& env) {
  std::string path = options.repo_path;
  while (!path.empty() && path.back() == '/') path.pop_back();
  return (path.empty() ? "" : path + "/") + "overlays/" + env;
}

}  // namespace

std::vector<Manifest> render_platform(const Scope& scope) {
  std::vector<Manifest> manifests;
  for (auto& object : mail_catcher(scope)) manifests.push_back({"mail-catcher.yaml", object});
  manifests.push_back({"policies.yaml", catcher_ingress(scope)});
  return manifests;
}

std::vector<Json> render_applications(const spec::Spec& spec, const RenderOptions& options,
                                      const Layout& layout) {
  std::vector<Json> apps;
  const Namespace& platform = layout.namespaces.front();
  const Scope scope{spec, options, platform};
  for (const auto& env : layout.environments) {
    Json app = make_object("argoproj.io/v1alpha1", "Application", spec.platform.name + "-" + env,
                           scope, {{std::string(kLabelEnvironment), env}});
    app["metadata"]["namespace"] = options.argocd_namespace;
    app["spec"] = {{"project", options.argocd_project},
                   {"source",
                    {{"repoURL", options.repo_url},
                     {"targetRevision", options.target_revision},
                     {"path", overlay_path(options, env)}}},
                   {"destination", {{"server", "https://kubernetes.default.svc"}}},
                   {"syncPolicy",
                    {{"automated", {{"prune", true}, {"selfHeal", true}}},
                     // Server-side apply: fields others own (the data an operator puts in a Secret
                     // skeleton) are left alone.
                     {"syncOptions", Json::array({"ServerSideApply=true", "PruneLast=true"})}}}};
    apps.push_back(std::move(app));
  }
  return apps;
}

}  // namespace ballast::runtime::kubernetes
