// LocalRuntime: the proxy half (HAProxy config, routes from the catalog, live map sync).
#include <cmath>

#include <nlohmann/json.hpp>

#include "components/haproxy/runtime_api.h"
#include "core/file.h"
#include "runtime/local/local_runtime.h"

namespace ballast::runtime::local {

namespace hp = components::haproxy;

namespace {

std::uint32_t requests_per_10s(const std::string& plan_json) {
  const auto plan = nlohmann::json::parse(plan_json, nullptr, false);
  if (!plan.is_object() || !plan.contains("request_rate")) return 500;
  auto rate = spec::parse_rate(plan["request_rate"].get<std::string>());
  if (!rate.has_value()) return 500;
  return static_cast<std::uint32_t>(std::ceil(rate->per_second() * 10.0));
}

}  // namespace

hp::ProxyConfig LocalRuntime::proxy_config(std::uint16_t stats_port) const {
  return hp::ProxyConfig{layout_.proxy_dir(),
                         layout_.proxy_socket(),
                         layout_.proxy_run() / "haproxy.pid",
                         spec_.platform.ingress.http,
                         stats_port,
                         spec_.platform.ingress.https};
}

core::Result<std::vector<hp::Route>> LocalRuntime::routes() {
  BALLAST_ASSIGN_OR_RETURN(auto tenants, catalog_.tenants().list());
  std::vector<hp::Route> out;
  for (const auto& t : tenants) {
    hp::Route r;
    r.tenant = t.name;
    r.domains = t.domains;
    r.state = t.state == catalog::TenantState::kSuspended ? hp::RouteState::kSuspended
                                                          : hp::RouteState::kUndeployed;
    const auto app = app_endpoints_ ? app_endpoints_(t.name) : std::nullopt;
    if (app && t.state == catalog::TenantState::kActive) {
      r.state = hp::RouteState::kActive;
      r.http_address = "127.0.0.1:" + std::to_string(app->http_port);
      r.websocket_address = "127.0.0.1:" + std::to_string(app->websocket_port);
    }
    {
      std::lock_guard lock(maintenance_mutex_);
      if (maintenance_.count(t.name) != 0) r.state = hp::RouteState::kMaintenance;
    }
    r.requests_per_10s = requests_per_10s(t.plan_json);
    out.push_back(std::move(r));
  }
  return out;
}

core::Status LocalRuntime::ensure_proxy() {
  if (supervisor_.is_running(kProxyName))
    return sync_routes().and_then([](int) { return core::ok(); });
  BALLAST_ASSIGN_OR_RETURN(const auto stats_port, proxy_stats_port());
  const auto config = proxy_config(stats_port);
  BALLAST_ASSIGN_OR_RETURN(auto current, routes());
  BALLAST_TRY(core::ensure_dir(config.dir, 0750));
  BALLAST_TRY(core::ensure_dir(layout_.proxy_run(), 0700));
  BALLAST_TRY(core::chown_path(layout_.proxy_run(), identity_.uid, identity_.gid));
  // Refused supplied certificates are events here: the proxy starts with what it has.
  BALLAST_TRY(sync_certificates(config, current).and_then([](const CertificateSync&) {
    return core::ok();
  }));
  BALLAST_TRY(hp::write_all(config, current, identity_));
  BALLAST_TRY(hp::check_config(config));
  const auto log_file = layout_.log_of(kProxyName);
  ServiceSpec service{kProxyName,          "haproxy", "platform", spec_.platform.ingress.http.port,
                      config.dir.string(), log_file};
  service.command = [config, identity = identity_, log_file] {
    return hp::server_command(config, identity, log_file);
  };
  service.probe = [socket = config.socket]() -> core::Status {
    BALLAST_ASSIGN_OR_RETURN(auto answer, hp::RuntimeApi(socket).send("show info"));
    if (answer.find("Name: HAProxy") == std::string::npos) {
      return core::make_error(core::ErrorCode::kUnavailable, "HAProxy's stats socket is not ready");
    }
    return core::ok();
  };
  service.find_running = [pid_file = config.pid_file]() -> std::optional<pid_t> {
    auto text = core::read_file(pid_file, 64);
    if (!text.has_value()) return std::nullopt;
    const auto pid = static_cast<pid_t>(std::atol(text->c_str()));
    return core::process_exists(pid) ? std::optional<pid_t>(pid) : std::nullopt;
  };
  service.stop_signal = SIGUSR1;  // soft stop: finish the requests in flight
  BALLAST_TRY(supervisor_.start(std::move(service)));
  BALLAST_TRY(sync_routes());
  return core::ok();
}

void LocalRuntime::set_maintenance(const std::string& tenant, bool on) {
  std::lock_guard lock(maintenance_mutex_);
  if (on) {
    maintenance_.insert(tenant);
  } else {
    maintenance_.erase(tenant);
  }
}

core::Result<int> LocalRuntime::sync_routes() {
  BALLAST_ASSIGN_OR_RETURN(const auto stats_port, proxy_stats_port());
  const auto config = proxy_config(stats_port);
  BALLAST_ASSIGN_OR_RETURN(auto current, routes());
  const hp::RuntimeApi api(config.socket);
  int changed = 0;
  for (const auto& [name, text] : hp::render_maps(current)) {
    const auto file = hp::map_file(config, name);
    BALLAST_TRY(core::write_file_atomic(file, text, 0640));
    BALLAST_TRY(core::chown_path(file, identity_.uid, identity_.gid));
    BALLAST_ASSIGN_OR_RETURN(const int n, api.sync_map(file, hp::parse_map(text)));
    changed += n;
  }
  BALLAST_ASSIGN_OR_RETURN(const auto certificates, sync_certificates(config, current));
  if (certificates.is_changed) BALLAST_TRY(reload_proxy(config));
  if (!certificates.refused.empty()) return certificates.refused.front();
  return changed;
}

core::Result<std::map<std::string, std::string>> LocalRuntime::live_hosts_map() {
  BALLAST_ASSIGN_OR_RETURN(const auto stats_port, proxy_stats_port());
  const auto config = proxy_config(stats_port);
  return hp::RuntimeApi(config.socket).show_map(hp::map_file(config, "hosts.map"));
}

core::Result<std::map<std::string, LocalRuntime::ProxyCounters>> LocalRuntime::proxy_counters() {
  BALLAST_ASSIGN_OR_RETURN(auto table,
                           hp::RuntimeApi(layout_.proxy_socket()).show_table("st_tenant"));
  std::map<std::string, ProxyCounters> out;
  for (const auto& [tenant, counters] : table) {
    auto get = [&counters](const char* name) {
      const auto it = counters.find(name);
      return it == counters.end() ? std::int64_t{0} : it->second;
    };
    out[tenant] = {get("http_req_cnt"), get("http_err_cnt"), get("http_fail_cnt"), get("gpc0")};
  }
  return out;
}

core::Status LocalRuntime::start_recorded() {
  BALLAST_TRY(prepare());
  BALLAST_ASSIGN_OR_RETURN(auto components, catalog_.components().list());
  for (const auto& c : components) {
    if (c.kind != "postgres") continue;
    const bool is_pool = c.owner.rfind("pool/", 0) == 0;
    const HostRef host{is_pool ? HostRef::Kind::kPool : HostRef::Kind::kStack,
                       c.owner.substr(is_pool ? 5 : 6)};
    BALLAST_TRY(ensure_host(host));
  }
  return ensure_proxy();
}

}  // namespace ballast::runtime::local
