#include "components/haproxy/config.h"

#include <fmt/format.h>

#include "core/file.h"
#include "core/text.h"

namespace ballast::components::haproxy {

std::string_view to_string(RouteState state) {
  switch (state) {
    case RouteState::kActive:
      return "active";
    case RouteState::kSuspended:
      return "suspended";
    case RouteState::kUndeployed:
      return "undeployed";
    case RouteState::kMaintenance:
      return "maintenance";
  }
  return "undeployed";
}

fs::path config_file(const ProxyConfig& config) { return config.dir / "haproxy.cfg"; }
fs::path map_file(const ProxyConfig& config, const std::string& name) {
  return config.dir / "maps" / name;
}
fs::path certificates_dir(const ProxyConfig& config) { return config.dir / "certs"; }
fs::path default_certificate(const ProxyConfig& config) {
  return certificates_dir(config) / "default.pem";
}
fs::path crt_list(const ProxyConfig& config) { return certificates_dir(config) / "tenants.list"; }

namespace {

// Mozilla's "intermediate" profile: TLS 1.2 with forward-secret AEAD suites, and TLS 1.3.
constexpr const char* kCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kCipherSuites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr const char* kHsts = "max-age=31536000";

std::string tls_globals(const ProxyConfig& c) {
  if (!c.https) return "";
  return fmt::format(
      "  ssl-default-bind-ciphers {}\n  ssl-default-bind-ciphersuites {}\n"
      "  ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets\n",
      kCiphers, kCipherSuites);
}

std::string binds(const ProxyConfig& c) {
  std::string out = fmt::format("  bind {}\n", spec::format_host_port(c.http));
  if (c.https) {
    out += fmt::format("  bind {} ssl crt {} crt-list {} alpn http/1.1\n",
                       spec::format_host_port(*c.https), default_certificate(c).string(),
                       crt_list(c).string());
  }
  return out;
}

// Plain HTTP to a known host goes to HTTPS, on the TLS listener's port.
std::string redirect(const ProxyConfig& c) {
  if (!c.https) return "";
  const std::string port = c.https->port == 443 ? "" : ":" + std::to_string(c.https->port);
  return fmt::format(
      "  http-request redirect location https://%[var(txn.host)]{}%[capture.req.uri] code 301 "
      "if !{{ ssl_fc }}\n",
      port);
}

}  // namespace

std::map<std::string, std::string> render_maps(const std::vector<Route>& routes) {
  std::map<std::string, std::string> hosts;
  std::map<std::string, std::string> states;
  std::map<std::string, std::string> addresses;
  std::map<std::string, std::string> websockets;
  std::map<std::string, std::string> rates;
  for (const auto& r : routes) {
    for (const auto& d : r.domains) hosts[d] = r.tenant;
    states[r.tenant] = std::string(to_string(r.state));
    if (!r.http_address.empty()) addresses[r.tenant] = r.http_address;
    const auto& ws = r.websocket_address.empty() ? r.http_address : r.websocket_address;
    if (!ws.empty()) websockets[r.tenant] = ws;
    rates[r.tenant] = std::to_string(r.requests_per_10s);
  }
  auto text = [](const std::map<std::string, std::string>& entries) {
    std::string out;
    for (const auto& [k, v] : entries) out += k + " " + v + "\n";
    return out;
  };
  return {{"hosts.map", text(hosts)},
          {"state.map", text(states)},
          {"address.map", text(addresses)},
          {"websocket.map", text(websockets)},
          {"rate.map", text(rates)}};
}

std::string render_config(const ProxyConfig& c) {
  const auto map = [&](const char* name) { return map_file(c, name).string(); };
  const auto page = [&](const char* name) { return (c.dir / "pages" / name).string(); };
  std::string out = "# Written by Ballast; changes here are overwritten. Routing is in maps/.\n";
  out += fmt::format(
      "global\n  stats socket {} mode 600 level admin expose-fd listeners\n"
      "  log stderr format short local0 notice\n  hard-stop-after 30s\n{}\n",
      c.socket.string(), tls_globals(c));
  out +=
      "defaults\n  mode http\n  log global\n  option httplog\n  option dontlognull\n"
      "  timeout connect 5s\n  timeout client 60s\n  timeout server 600s\n"
      "  timeout http-request 15s\n  timeout tunnel 1h\n\n";
  out += "frontend tenants\n" + binds(c);
  out += "  option forwardfor\n";
  out += "  http-request set-var(txn.host) req.hdr(host),field(1,:),lower\n";
  out +=
      fmt::format("  http-request set-var(txn.tenant) var(txn.host),map({})\n", map("hosts.map"));
  out += fmt::format(
      "  http-request return status 404 content-type \"text/html; charset=utf-8\" file {} if "
      "!{{ var(txn.tenant) -m found }}\n",
      page("unknown-host.html"));
  out += redirect(c);
  out += fmt::format(
      "  http-request return status 403 content-type \"text/html; charset=utf-8\" file {} if "
      "{{ path_beg /web/database/ }} || {{ path /web/database }}\n",
      page("database-manager.html"));
  // Rate limits count every request to a tenant, whatever it is answered with.
  out += "  http-request set-var(txn.src) src\n";
  out += "  http-request track-sc0 var(txn.tenant),concat(@,txn.src) table st_rate\n";
  out += "  http-request track-sc1 var(txn.tenant) table st_tenant\n";
  out += fmt::format("  http-request set-var(txn.limit) var(txn.tenant),map_str_int({},500)\n",
                     map("rate.map"));
  out += "  http-request set-var(txn.rate) sc_http_req_rate(0)\n";
  // gpc0 of the tenant's entry counts the requests refused with 429, for the metrics.
  out += "  http-request sc-inc-gpc0(1) if { var(txn.rate),sub(txn.limit) gt 0 }\n";
  out += fmt::format(
      "  http-request return status 429 content-type \"text/html; charset=utf-8\" file {} if "
      "{{ var(txn.rate),sub(txn.limit) gt 0 }}\n",
      page("rate-limited.html"));
  out += fmt::format("  http-request set-var(txn.state) var(txn.tenant),map({},undeployed)\n",
                     map("state.map"));
  for (const auto& [state, file] :
       {std::pair{"suspended", "suspended.html"}, std::pair{"undeployed", "not-deployed.html"},
        std::pair{"maintenance", "maintenance.html"}}) {
    out += fmt::format(
        "  http-request return status 503 content-type \"text/html; charset=utf-8\" file {} if "
        "{{ var(txn.state) -m str {} }}\n",
        page(file), state);
  }
  out +=
      fmt::format("  http-request set-var(txn.addr) var(txn.tenant),map({})\n", map("address.map"));
  out += fmt::format(
      "  http-request set-var(txn.addr) var(txn.tenant),map({}) if {{ path /websocket }} || "
      "{{ path_beg /websocket/ }}\n",
      map("websocket.map"));
  out += "  http-request set-header X-Forwarded-Host %[req.hdr(host)]\n";
  out += "  http-request set-header X-Forwarded-Proto http if !{ ssl_fc }\n";
  out += "  http-request set-header X-Forwarded-Proto https if { ssl_fc }\n";
  out += "  http-request set-header X-Ballast-Tenant %[var(txn.tenant)]\n";
  if (c.https) {
    out += fmt::format(
        "  http-response set-header Strict-Transport-Security \"{}\" if {{ ssl_fc }}\n", kHsts);
  }
  out += "  default_backend be_tenants\n\n";
  out += fmt::format(
      "backend be_tenants\n  errorfile 503 {}\n"
      "  http-request set-dst var(txn.addr),field(1,:)\n"
      "  http-request set-dst-port var(txn.addr),field(2,:)\n"
      "  server app 0.0.0.0:0\n\n",
      page("unavailable.http"));
  out +=
      "backend st_rate\n  stick-table type string len 96 size 200k expire 60s store "
      "http_req_rate(10s)\n\n"
      "backend st_tenant\n  stick-table type string len 64 size 20k expire 7d store "
      "gpc0,http_req_cnt,http_req_rate(10s),http_err_cnt,http_err_rate(10s),http_fail_cnt\n\n";
  out += fmt::format(
      "frontend stats\n  bind 127.0.0.1:{}\n  http-request use-service prometheus-exporter if "
      "{{ path /metrics }}\n  stats enable\n  stats uri /stats\n",
      c.stats_port);
  return out;
}

core::Status write_all(const ProxyConfig& config, const std::vector<Route>& routes,
                       const core::Identity& owner) {
  BALLAST_TRY(core::ensure_dir(config.dir / "maps", 0750));
  BALLAST_TRY(core::ensure_dir(config.dir / "pages", 0750));
  for (const auto& [name, text] : render_pages()) {
    BALLAST_TRY(core::write_file_atomic(config.dir / "pages" / name, text, 0640));
  }
  for (const auto& [name, text] : render_maps(routes)) {
    BALLAST_TRY(core::write_file_atomic(map_file(config, name), text, 0640));
  }
  BALLAST_TRY(core::write_file_atomic(config_file(config), render_config(config), 0640));
  return core::chown_path(config.dir, owner.uid, owner.gid, true);
}

core::Status check_config(const ProxyConfig& config) {
  auto done = core::run({.argv = {"haproxy", "-c", "-f", config_file(config).string()}},
                        std::chrono::seconds(30));
  if (!done.has_value()) return std::move(done).error();
  if (!done->status.is_success()) {
    std::string alerts;
    for (const auto& line : core::split(done->err + done->out, '\n')) {
      if (line.find("[ALERT]") != std::string::npos) alerts += "\n  " + line;
    }
    return core::make_error(core::ErrorCode::kComponentFailed, "HAProxy rejects its config:{}",
                            alerts);
  }
  return core::ok();
}

core::Command server_command(const ProxyConfig& config, const core::Identity& owner,
                             const fs::path& log_file) {
  core::Command command{.argv = {"haproxy", "-W", "-db", "-f", config_file(config).string(), "-p",
                                 config.pid_file.string()},
                        .cwd = config.dir,
                        .stdout_mode = core::Stdio::kFile,
                        .stderr_mode = core::Stdio::kFile,
                        .output_file = log_file};
  if (!owner.is_caller) {
    command.uid = owner.uid;
    command.gid = owner.gid;
  }
  return command;
}

}  // namespace ballast::components::haproxy
