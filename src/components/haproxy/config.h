// HAProxy 2.6 in front of every tenant. The config is static; routing lives in map files
// (host → tenant, tenant → state, address, websocket address, rate limit) that the runtime API
// changes without a reload — and that are also written to disk, since runtime changes are
// lost on reload.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/identity.h"
#include "core/subprocess.h"
#include "spec/units.h"

namespace ballast::components::haproxy {

namespace fs = std::filesystem;

// What a tenant's traffic does.
enum class RouteState { kActive, kSuspended, kUndeployed, kMaintenance };
std::string_view to_string(RouteState state);

struct Route {
  std::string tenant;
  std::vector<std::string> domains;
  RouteState state = RouteState::kUndeployed;
  std::string http_address;              // "127.0.0.1:port" of the tenant's Odoo HTTP listener
  std::string websocket_address;         // of its gevent listener; empty: same as http_address
  std::uint32_t requests_per_10s = 500;  // per client address, beyond: 429
};

struct ProxyConfig {
  fs::path dir;     // config, maps and pages
  fs::path socket;  // the runtime API socket
  fs::path pid_file;
  spec::HostPort http;
  std::uint16_t stats_port = 0;  // loopback: Prometheus exporter and stats
  // TLS for tenant domains; unset: plain HTTP only. With it, plain HTTP requests for a known
  // host are redirected to HTTPS and HTTPS answers carry HSTS.
  std::optional<spec::HostPort> https;
};

// Where the TLS listener's certificates are: a default one (served without SNI or for an
// unknown name) and a crt-list of one combined PEM (chain, then key) per tenant.
fs::path certificates_dir(const ProxyConfig& config);
fs::path default_certificate(const ProxyConfig& config);
fs::path crt_list(const ProxyConfig& config);

// The map files by name ("hosts.map" …) for these routes, sorted for stable output.
std::map<std::string, std::string> render_maps(const std::vector<Route>& routes);
std::string render_config(const ProxyConfig& config);
// The pages HAProxy serves itself (404 unknown host, 503 suspended, …) by file name.
std::map<std::string, std::string> render_pages();

// Writes config, pages and maps (0640, owned by `owner`).
core::Status write_all(const ProxyConfig& config, const std::vector<Route>& routes,
                       const core::Identity& owner);
// `haproxy -c`: kSpecInvalid quoting HAProxy's complaint.
core::Status check_config(const ProxyConfig& config);
// `haproxy -W -db -f …` (master-worker, foreground) as `owner`.
core::Command server_command(const ProxyConfig& config, const core::Identity& owner,
                             const fs::path& log_file);

fs::path config_file(const ProxyConfig& config);
fs::path map_file(const ProxyConfig& config, const std::string& name);

}  // namespace ballast::components::haproxy
