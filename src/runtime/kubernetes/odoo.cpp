// A tenant's Odoo: web, websocket and cron Deployments, Services, config, volume, Secrets,
// disruption budgets and the autoscaler.
#include <fmt/format.h>

#include "runtime/kubernetes/names.h"
#include "runtime/kubernetes/objects.h"
#include "runtime/kubernetes/parts.h"

namespace ballast::runtime::kubernetes {
namespace {

constexpr std::string_view kConfigScript =
    "set -eu\n"
    "umask 077\n"
    "cp /etc/odoo/odoo.conf /run/odoo/odoo.conf\n"
    "printf 'db_password = %s\\nadmin_passwd = %s\\n' \"$(cat /etc/ballast/db_password)\" "
    "\"$(cat /etc/ballast/admin_passwd)\" >> /run/odoo/odoo.conf\n";

Json volume_mount(std::string_view name, std::string_view path, bool read_only = false) {
  Json mount = {{"name", name}, {"mountPath", path}};
  if (read_only) mount["readOnly"] = true;
  return mount;
}

Json secret_item(std::string_view secret, std::string_view key, std::string_view path) {
  return {{"secret", {{"name", secret}, {"items", Json::array({{{"key", key}, {"path", path}}})}}}};
}

Json odoo_volumes(const TenantNames& names) {
  return Json::array(
      {{{"name", "config"}, {"configMap", {{"name", names.config}}}},
       {{"name", "secrets"},
        {"projected",
         {{"defaultMode", 0440},
          {"sources",
           Json::array({secret_item(names.db_secret, "password", "db_password"),
                        secret_item(names.odoo_secret, "admin_passwd", "admin_passwd")})}}}},
       {{"name", "run"}, {"emptyDir", {{"medium", "Memory"}, {"sizeLimit", "16Mi"}}}},
       {{"name", "tmp"}, {"emptyDir", {{"sizeLimit", "1Gi"}}}},
       {{"name", "data"}, {"persistentVolumeClaim", {{"claimName", names.data}}}}});
}

Json config_init_container(const Scope& scope, const OdooSizing& size) {
  return {{"name", "config"},
          {"image", scope.options.images.odoo},
          {"command", Json::array({"/bin/sh", "-c", kConfigScript})},
          {"resources",
           resources(size.init.cpu_millicores, size.init.memory_request, size.init.memory_limit)},
          {"securityContext", container_security()},
          {"volumeMounts", Json::array({volume_mount("config", "/etc/odoo", true),
                                        volume_mount("secrets", "/etc/ballast", true),
                                        volume_mount("run", "/run/odoo")})}};
}

Json http_probe(std::string_view port, std::int64_t period, std::int64_t failures) {
  return {{"httpGet", {{"path", "/web/health"}, {"port", port}}},
          {"periodSeconds", period},
          {"timeoutSeconds", 5},
          {"failureThreshold", failures}};
}

Json odoo_env(const TenantEnvironment& tenant, const TenantNames& names) {
  const std::string& name = tenant.tenant->name;
  return Json::array({plain_env("BALLAST_TENANT", name), plain_env("BALLAST_REDIS_HOST", kRedis),
                      plain_env("BALLAST_REDIS_USER", name),
                      plain_env("BALLAST_REDIS_PREFIX", name + ":"),
                      secret_env("BALLAST_REDIS_PASSWORD", names.odoo_secret, "redis_password")});
}

struct Component {
  std::string_view name;  // web, websocket, cron
  std::string deployment;
  std::uint32_t replicas;
  PodSize size;
  Json args;
  std::string_view port_name;  // empty: no HTTP port (cron)
  std::int64_t port;
};

Json odoo_container(const Scope& scope, const TenantEnvironment& tenant, const Component& c) {
  const TenantNames names = tenant_names(tenant.tenant->name);
  Json container = {{"name", "odoo"},
                    {"image", scope.options.images.odoo},
                    {"args", c.args},
                    {"env", odoo_env(tenant, names)}};
  if (!c.port_name.empty()) {
    container["ports"] = Json::array({{{"name", c.port_name}, {"containerPort", c.port}}});
    container["startupProbe"] = http_probe(c.port_name, 10, 30);
    container["readinessProbe"] = http_probe(c.port_name, 10, 3);
    container["livenessProbe"] = http_probe(c.port_name, 20, 3);
  }
  container["resources"] =
      resources(c.size.cpu_millicores, c.size.memory_request, c.size.memory_limit);
  container["securityContext"] = container_security();
  container["volumeMounts"] =
      Json::array({volume_mount("run", "/run/odoo", true), volume_mount("tmp", "/tmp"),
                   volume_mount("data", "/var/lib/odoo")});
  return container;
}

Json spread(const Json& selector) {
  return Json::array({{{"maxSkew", 1},
                       {"topologyKey", "topology.kubernetes.io/zone"},
                       {"whenUnsatisfiable", "ScheduleAnyway"},
                       {"labelSelector", {{"matchLabels", selector}}}}});
}

Json anti_affinity(const Json& selector) {
  return {{"podAntiAffinity",
           {{"preferredDuringSchedulingIgnoredDuringExecution",
             Json::array({{{"weight", 100},
                           {"podAffinityTerm",
                            {{"topologyKey", "kubernetes.io/hostname"},
                             {"labelSelector", {{"matchLabels", selector}}}}}}})}}}};
}

Json odoo_deployment(const Scope& scope, const TenantEnvironment& tenant, const Component& c,
                     const OdooSizing& size) {
  const TenantNames names = tenant_names(tenant.tenant->name);
  const Json selector = odoo_selector(tenant, c.name);
  Json labels = tenant_labels(scope, tenant);
  labels.update(selector);
  Json deployment = make_object("apps/v1", "Deployment", c.deployment, scope, labels);
  const bool is_single = c.name == "cron";
  Json strategy = is_single ? Json{{"type", "Recreate"}}
                            : Json{{"type", "RollingUpdate"},
                                   {"rollingUpdate", {{"maxSurge", 1}, {"maxUnavailable", 0}}}};
  Json pod = {{"serviceAccountName", names.account},
              {"automountServiceAccountToken", false},
              {"securityContext", pod_security(kAppUid)},
              {"terminationGracePeriodSeconds", is_single ? 120 : 60}};
  if (!is_single) {
    pod["topologySpreadConstraints"] = spread(selector);
    pod["affinity"] = anti_affinity(selector);
  }
  pod["initContainers"] = Json::array({config_init_container(scope, size)});
  pod["containers"] = Json::array({odoo_container(scope, tenant, c)});
  pod["volumes"] = odoo_volumes(names);
  deployment["spec"] = {{"replicas", c.replicas},
                        {"revisionHistoryLimit", 5},
                        {"strategy", strategy},
                        {"selector", {{"matchLabels", selector}}},
                        {"template", {{"metadata", {{"labels", labels}}}, {"spec", pod}}}};
  return deployment;
}

Json odoo_service(const Scope& scope, const TenantEnvironment& tenant, std::string_view name,
                  std::string_view component, std::string_view port_name, std::int64_t port) {
  Json labels = tenant_labels(scope, tenant);
  labels.update(odoo_selector(tenant, component));
  Json service = make_object("v1", "Service", name, scope, labels);
  service["spec"] = {
      {"selector", odoo_selector(tenant, component)},
      {"ports", Json::array({{{"name", port_name}, {"port", port}, {"targetPort", port_name}}})}};
  return service;
}

Json disruption_budget(const Scope& scope, const TenantEnvironment& tenant, std::string_view name,
                       std::string_view component) {
  Json pdb =
      make_object("policy/v1", "PodDisruptionBudget", name, scope, tenant_labels(scope, tenant));
  // One replica in a copy: a minimum of one would block every node drain.
  pdb["spec"] = tenant.is_production ? Json{{"minAvailable", 1}} : Json{{"maxUnavailable", 1}};
  pdb["spec"]["selector"] = {{"matchLabels", odoo_selector(tenant, component)}};
  return pdb;
}

Json autoscaler(const Scope& scope, const TenantEnvironment& tenant, const OdooSizing& size) {
  const TenantNames names = tenant_names(tenant.tenant->name);
  Json hpa = make_object("autoscaling/v2", "HorizontalPodAutoscaler", names.web, scope,
                         tenant_labels(scope, tenant));
  hpa["spec"] = {
      {"scaleTargetRef", {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", names.web}}},
      {"minReplicas", size.web_replicas},
      {"maxReplicas", size.web_max_replicas},
      {"metrics",
       Json::array({{{"type", "Resource"},
                     {"resource",
                      {{"name", "cpu"},
                       {"target", {{"type", "Utilization"}, {"averageUtilization", 70}}}}}}})},
      {"behavior", {{"scaleDown", {{"stabilizationWindowSeconds", 300}}}}}};
  return hpa;
}

Json file_store(const Scope& scope, const TenantEnvironment& tenant, const OdooSizing& size) {
  const TenantNames names = tenant_names(tenant.tenant->name);
  Json pvc =
      make_object("v1", "PersistentVolumeClaim", names.data, scope, tenant_labels(scope, tenant));
  pvc["spec"] = {
      {"accessModes", Json::array({"ReadWriteMany"})},
      {"resources", {{"requests", {{"storage", memory_quantity(size.filestore_bytes)}}}}}};
  if (!scope.options.rwx_storage_class.empty()) {
    pvc["spec"]["storageClassName"] = scope.options.rwx_storage_class;
  }
  return pvc;
}

std::vector<Json> identity_and_config(const Scope& scope, const TenantEnvironment& tenant,
                                      const OdooSizing& size) {
  const TenantNames names = tenant_names(tenant.tenant->name);
  const Json labels = tenant_labels(scope, tenant);
  Json account = make_object("v1", "ServiceAccount", names.account, scope, labels);
  account["automountServiceAccountToken"] = false;
  Json config = make_object("v1", "ConfigMap", names.config, scope, labels);
  config["data"] = {{"odoo.conf", odoo_conf(scope, tenant, size)}};
  return {account, config,
          secret_skeleton(names.db_secret, scope, labels, "username,password",
                          "PostgreSQL role of the tenant (CloudNativePG sets this password)"),
          secret_skeleton(names.odoo_secret, scope, labels, "admin_passwd,redis_password",
                          "Odoo master password and the tenant's Redis ACL password"),
          secret_skeleton(names.backup_secret, scope, labels, "encryption_key",
                          "key of the tenant's encrypted backups (Ballast jobs only)")};
}

}  // namespace

TenantNames tenant_names(std::string_view tenant) {
  return {.web = names::fit(tenant, "web"),
          .websocket = names::fit(tenant, "websocket"),
          .cron = names::fit(tenant, "cron"),
          .web_service = names::service(tenant, "web"),
          .websocket_service = names::service(tenant, "websocket"),
          .config = names::fit(tenant, "odoo"),
          .data = names::fit(tenant, "data"),
          .account = names::fit(tenant, "odoo"),
          .db_secret = names::fit(tenant, "db"),
          .odoo_secret = names::fit(tenant, "odoo"),
          .backup_secret = names::fit(tenant, "backup"),
          .tls_secret = names::fit(tenant, "tls")};
}

Json odoo_selector(const TenantEnvironment& tenant, std::string_view component) {
  Json selector = Json::object();
  selector[std::string(kLabelName)] = "odoo";
  selector[std::string(kLabelComponent)] = component;
  selector[std::string(kLabelTenant)] = tenant.tenant->name;
  return selector;
}

std::vector<Json> odoo_objects(const Scope& scope, const TenantEnvironment& tenant) {
  const OdooSizing size = odoo_sizing(*tenant.plan, tenant.is_production);
  const TenantNames names = tenant_names(tenant.tenant->name);
  const std::string conf = "--config=/run/odoo/odoo.conf";
  const std::vector<Component> components = {
      {"web", names.web, size.web_replicas, size.web, Json::array({conf}), "http", kOdooHttpPort},
      {"websocket", names.websocket, size.websocket_replicas, size.websocket,
       Json::array({"gevent", conf}), "websocket", kOdooGeventPort},
      {"cron", names.cron, size.cron_replicas, size.cron,
       Json::array({conf, "--no-http", "--workers=0",
                    fmt::format("--max-cron-threads={}", size.cron_threads)}),
       "", 0}};
  std::vector<Json> objects = identity_and_config(scope, tenant, size);
  objects.push_back(file_store(scope, tenant, size));
  for (const auto& component : components) {
    objects.push_back(odoo_deployment(scope, tenant, component, size));
  }
  objects.push_back(odoo_service(scope, tenant, names.web_service, "web", "http", kOdooHttpPort));
  objects.push_back(odoo_service(scope, tenant, names.websocket_service, "websocket", "websocket",
                                 kOdooGeventPort));
  objects.push_back(disruption_budget(scope, tenant, names.web, "web"));
  objects.push_back(disruption_budget(scope, tenant, names.websocket, "websocket"));
  objects.push_back(autoscaler(scope, tenant, size));
  return objects;
}

}  // namespace ballast::runtime::kubernetes
