// A site's Redis: one Deployment with a volume (the schemas Ballast validates against have no
// StatefulSet; a single instance with a ReadWriteOnce volume and the Recreate strategy is what a
// one-replica StatefulSet would give), the same ACL model as on one host, and an exporter.
#include <fmt/format.h>

#include "runtime/kubernetes/names.h"
#include "runtime/kubernetes/objects.h"
#include "runtime/kubernetes/parts.h"

namespace ballast::runtime::kubernetes {
namespace {

constexpr std::string_view kExporterUser = "exporter";
constexpr std::string_view kExporterSecret = "redis-exporter";

// Builds the aclfile in memory from the rules (ConfigMap) and the passwords (Secrets). A tenant
// whose Secret is not filled yet is left out rather than keeping the whole pool's Redis down.
constexpr std::string_view kAclScript =
    "set -eu\n"
    "umask 077\n"
    "acl=/run/redis/users.acl\n"
    "echo 'user default off' > \"$acl\"\n"
    "while read -r name rules; do\n"
    "  [ -n \"$name\" ] || continue\n"
    "  if [ ! -s \"/etc/redis-passwords/$name\" ]; then\n"
    "    echo \"no password for Redis user $name yet: left out\" >&2\n"
    "    continue\n"
    "  fi\n"
    "  echo \"user $name on >$(cat \"/etc/redis-passwords/$name\") $rules\" >> \"$acl\"\n"
    "done < /etc/redis/acl-rules\n";

Json redis_selector() {
  Json selector = Json::object();
  selector[std::string(kLabelName)] = kRedis;
  return selector;
}

std::string redis_conf(const spec::RedisSettings& redis) {
  std::string conf;
  conf += "bind * -::*\n";
  conf += "protected-mode yes\n";
  conf += fmt::format("port {}\n", kRedisPort);
  conf += "aclfile /run/redis/users.acl\n";
  conf += "dir /data\n";
  conf += "appendonly yes\n";
  conf += fmt::format("maxmemory {}\n", redis.maxmemory.bytes);
  conf += fmt::format("maxmemory-policy {}\n", spec::to_string(redis.maxmemory_policy));
  return conf;
}

// One line per user: "<name> <rules>"; the password is added at start-up.
std::string acl_rules(const Namespace& ns) {
  std::string rules;
  for (const auto& tenant : ns.tenants) {
    const std::string& name = tenant.tenant->name;
    rules +=
        fmt::format("{0} ~{0}:* &{0}:* +@all -@dangerous -scan -randomkey -dbsize -select\n", name);
  }
  rules += fmt::format(
      "{} -@all +@connection +info +ping +config|get +client|list +slowlog|get +slowlog|len "
      "+latency|latest +memory|stats\n",
      kExporterUser);
  return rules;
}

Json password_sources(const Namespace& ns) {
  Json sources = Json::array();
  auto add = [&](std::string_view secret, std::string_view key, std::string_view user) {
    sources.push_back({{"secret",
                        {{"name", secret},
                         {"optional", true},
                         {"items", Json::array({{{"key", key}, {"path", user}}})}}}});
  };
  for (const auto& tenant : ns.tenants) {
    add(tenant_names(tenant.tenant->name).odoo_secret, "redis_password", tenant.tenant->name);
  }
  add(kExporterSecret, "password", kExporterUser);
  return sources;
}

Json mount(std::string_view name, std::string_view path, bool read_only) {
  return {{"name", name}, {"mountPath", path}, {"readOnly", read_only}};
}

Json redis_pod(const Scope& scope, const RedisSizing& size) {
  const auto& images = scope.options.images;
  const Json probe = {{"tcpSocket", {{"port", "redis"}}}, {"periodSeconds", 10}};
  Json init = {{"name", "acl"},
               {"image", images.redis},
               {"command", Json::array({"/bin/sh", "-c", kAclScript})},
               {"resources", resources(size.init.cpu_millicores, size.init.memory_request,
                                       size.init.memory_limit)},
               {"securityContext", container_security()},
               {"volumeMounts", Json::array({mount("config", "/etc/redis", true),
                                             mount("passwords", "/etc/redis-passwords", true),
                                             mount("run", "/run/redis", false)})}};
  Json server = {{"name", "redis"},
                 {"image", images.redis},
                 {"command", Json::array({"redis-server", "/etc/redis/redis.conf"})},
                 {"ports", Json::array({{{"name", "redis"}, {"containerPort", kRedisPort}}})},
                 {"readinessProbe", probe},
                 {"livenessProbe", probe},
                 {"resources", resources(size.redis.cpu_millicores, size.redis.memory_request,
                                         size.redis.memory_limit)},
                 {"securityContext", container_security()},
                 {"volumeMounts",
                  Json::array({mount("config", "/etc/redis", true),
                               mount("run", "/run/redis", true), mount("data", "/data", false)})}};
  Json exporter = {
      {"name", "exporter"},
      {"image", images.redis_exporter},
      {"env", Json::array({plain_env("REDIS_ADDR", fmt::format("redis://localhost:{}", kRedisPort)),
                           plain_env("REDIS_USER", kExporterUser),
                           secret_env("REDIS_PASSWORD", kExporterSecret, "password")})},
      {"ports", Json::array({{{"name", "metrics"}, {"containerPort", kRedisExporterPort}}})},
      {"resources", resources(size.exporter.cpu_millicores, size.exporter.memory_request,
                              size.exporter.memory_limit)},
      {"securityContext", container_security()}};
  return {{"automountServiceAccountToken", false},
          {"securityContext", pod_security(kRedisUid)},
          {"initContainers", Json::array({init})},
          {"containers", Json::array({server, exporter})},
          {"volumes",
           Json::array(
               {{{"name", "config"}, {"configMap", {{"name", kRedis}}}},
                {{"name", "passwords"},
                 {"projected", {{"defaultMode", 0440}, {"sources", password_sources(scope.ns)}}}},
                {{"name", "run"}, {"emptyDir", {{"medium", "Memory"}, {"sizeLimit", "1Mi"}}}},
                {{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "redis-data"}}}}})}};
}

}  // namespace

std::vector<Json> redis_objects(const Scope& scope) {
  const RedisSizing size = redis_sizing(*scope.ns.site->redis);
  Json labels = site_labels(scope);
  labels.update(redis_selector());
  Json config = make_object("v1", "ConfigMap", kRedis, scope, labels);
  config["data"] = {{"redis.conf", redis_conf(*scope.ns.site->redis)},
                    {"acl-rules", acl_rules(scope.ns)}};
  Json volume = make_object("v1", "PersistentVolumeClaim", "redis-data", scope, labels);
  volume["spec"] = {
      {"accessModes", Json::array({"ReadWriteOnce"})},
      {"resources", {{"requests", {{"storage", memory_quantity(size.storage_bytes)}}}}}};
  if (!scope.options.rwo_storage_class.empty()) {
    volume["spec"]["storageClassName"] = scope.options.rwo_storage_class;
  }
  Json deployment = make_object("apps/v1", "Deployment", kRedis, scope, labels);
  deployment["spec"] = {
      {"replicas", 1},
      {"revisionHistoryLimit", 5},
      {"strategy", {{"type", "Recreate"}}},
      {"selector", {{"matchLabels", redis_selector()}}},
      {"template", {{"metadata", {{"labels", labels}}}, {"spec", redis_pod(scope, size)}}}};
  Json service = make_object("v1", "Service", kRedis, scope, labels);
  service["spec"] = {
      {"selector", redis_selector()},
      {"ports",
       Json::array(
           {{{"name", "redis"}, {"port", kRedisPort}, {"targetPort", "redis"}},
            {{"name", "metrics"}, {"port", kRedisExporterPort}, {"targetPort", "metrics"}}})}};
  return {config, volume, deployment, service,
          secret_skeleton(kExporterSecret, scope, site_labels(scope), "password",
                          "password of the Redis exporter's ACL user")};
}

}  // namespace ballast::runtime::kubernetes
