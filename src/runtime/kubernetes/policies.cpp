// A site namespace's NetworkPolicies on top of its default deny: Traefik → Odoo only; Odoo →
// its PostgreSQL and Redis (and, in production, mail and HTTPS out; in a copy, only the
// platform's mail catcher); PostgreSQL's replication, operator, archive and metrics traffic;
// Ballast's jobs → the database, the API and the outside.
#include <fmt/format.h>

#include "runtime/kubernetes/objects.h"
#include "runtime/kubernetes/parts.h"

namespace ballast::runtime::kubernetes {
namespace {

constexpr std::int64_t kCnpgStatusPort = 8000;
constexpr std::int64_t kCnpgMetricsPort = 9187;

Json name_labels(std::string_view name) {
  Json labels = Json::object();
  labels[std::string(kLabelName)] = name;
  return labels;
}

Json postgres_labels(const Scope& scope) {
  return {{"cnpg.io/cluster", cluster_name(*scope.ns.site)}};
}

Json policy(const Scope& scope, std::string_view name, Json selector, std::string_view type,
            Json rules) {
  Json p = make_object("networking.k8s.io/v1", "NetworkPolicy", name, scope, site_labels(scope));
  p["spec"] = {{"podSelector", {{"matchLabels", std::move(selector)}}},
               {"policyTypes", Json::array({type})}};
  p["spec"][type == "Ingress" ? "ingress" : "egress"] = std::move(rules);
  return p;
}

Json rule(std::string_view direction, Json peers, Json ports) {
  return {{direction, std::move(peers)}, {"ports", std::move(ports)}};
}

// Anywhere outside the cluster's private ranges.
Json internet() {
  return {{"ipBlock",
           {{"cidr", "0.0.0.0/0"},
            {"except", Json::array({"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                                    "169.254.0.0/16", "100.64.0.0/10"})}}}};
}

Json anywhere() { return {{"ipBlock", {{"cidr", "0.0.0.0/0"}}}}; }

// The port of an http(s) URL, for egress rules: explicit, or the scheme's default.
std::int64_t url_port(std::string_view url) {
  const auto scheme_end = url.find("://");
  const bool is_https = url.substr(0, scheme_end) == "https";
  if (scheme_end == std::string_view::npos) return 443;
  std::string_view rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find('/'));
  const auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || rest.back() == ']') return is_https ? 443 : 80;
  try {
    return std::stoll(std::string(rest.substr(colon + 1)));
  } catch (const std::exception&) {
    return is_https ? 443 : 80;
  }
}

Json ports_of(std::vector<std::int64_t> ports) {
  std::sort(ports.begin(), ports.end());
  ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
  Json list = Json::array();
  for (const auto port : ports) list.push_back({{"protocol", "TCP"}, {"port", port}});
  return list;
}

// 443 for S3 and the API server, 6443 for API servers on their own port, and the S3 endpoint's.
std::vector<std::int64_t> outside_ports(const Scope& scope) {
  std::vector<std::int64_t> ports{443, 6443};
  if (const spec::Repository* repo = archive_repository(scope.spec, *scope.ns.site)) {
    if (!repo->endpoint.empty()) ports.push_back(url_port(repo->endpoint));
  }
  return ports;
}

Json odoo_egress(const Scope& scope) {
  Json rules = Json::array(
      {rule("to", Json::array({pods_peer(postgres_labels(scope))}), tcp_ports({kPostgresPort})),
       rule("to", Json::array({pods_peer(name_labels(kRedis))}), tcp_ports({kRedisPort}))});
  if (scope.ns.is_production) {
    rules.push_back(rule("to", Json::array({internet()}), tcp_ports({25, 465, 587, 443})));
  } else {
    rules.push_back(rule(
        "to",
        Json::array({namespace_peer(scope.options.platform_namespace, name_labels(kMailCatcher))}),
        tcp_ports({kSmtpCatcherPort})));
  }
  return rules;
}

Json postgres_ingress(const Scope& scope) {
  return Json::array(
      {rule("from", Json::array({pods_peer(name_labels("odoo")), pods_peer(job_pod_labels())}),
            tcp_ports({kPostgresPort})),
       rule("from", Json::array({pods_peer(postgres_labels(scope))}),
            tcp_ports({kPostgresPort, kCnpgStatusPort})),
       rule("from", Json::array({namespace_peer(scope.options.cnpg_namespace)}),
            tcp_ports({kPostgresPort, kCnpgStatusPort})),
       rule("from", Json::array({namespace_peer(scope.options.monitoring_namespace)}),
            tcp_ports({kCnpgMetricsPort}))});
}

Json postgres_egress(const Scope& scope) {
  return Json::array({rule("to", Json::array({pods_peer(postgres_labels(scope))}),
                           tcp_ports({kPostgresPort, kCnpgStatusPort})),
                      rule("to", Json::array({anywhere()}), ports_of(outside_ports(scope)))});
}

Json jobs_egress(const Scope& scope) {
  std::vector<std::int64_t> ports = outside_ports(scope);
  ports.push_back(url_port(scope.options.api_url));
  return Json::array(
      {rule("to", Json::array({pods_peer(postgres_labels(scope))}), tcp_ports({kPostgresPort})),
       rule("to", Json::array({anywhere()}), ports_of(ports))});
}

}  // namespace

std::vector<Json> policy_objects(const Scope& scope) {
  const Json odoo = name_labels("odoo");
  return {
      policy(
          scope, "odoo-ingress", odoo, "Ingress",
          Json::array({rule("from", Json::array({namespace_peer(scope.options.traefik_namespace)}),
                            tcp_ports({kOdooHttpPort, kOdooGeventPort}))})),
      policy(scope, "odoo-egress", odoo, "Egress", odoo_egress(scope)),
      policy(scope, "postgres-ingress", postgres_labels(scope), "Ingress", postgres_ingress(scope)),
      policy(scope, "postgres-egress", postgres_labels(scope), "Egress", postgres_egress(scope)),
      policy(scope, "redis-ingress", name_labels(kRedis), "Ingress",
             Json::array(
                 {rule("from", Json::array({pods_peer(odoo)}), tcp_ports({kRedisPort})),
                  rule("from", Json::array({namespace_peer(scope.options.monitoring_namespace)}),
                       tcp_ports({kRedisExporterPort}))})),
      policy(scope, "jobs-egress", job_pod_labels(), "Egress", jobs_egress(scope))};
}

}  // namespace ballast::runtime::kubernetes
