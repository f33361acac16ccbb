// LocalRuntime: TLS for tenant domains at the proxy (certificates kept beside HAProxy's config,
// issued through the injected issuer; a seamless reload when they change).
#include <algorithm>
#include <csignal>
#include <thread>

#include "components/haproxy/runtime_api.h"
#include "core/file.h"
#include "core/text.h"
#include "runtime/local/local_runtime.h"

namespace ballast::runtime::local {

namespace hp = components::haproxy;

namespace {

// Certificates are reissued when older than this (the issuer makes them valid for 397 days).
constexpr auto kCertificateRenewalAge = std::chrono::hours(24 * 180);

// The worker's pid as the runtime socket tells it ("Pid: 1234").
std::string worker_pid(const hp::ProxyConfig& config) {
  auto info = hp::RuntimeApi(config.socket).send("show info");
  if (!info.has_value()) return "";
  for (const auto& line : core::split(*info, '\n')) {
    if (line.rfind("Pid: ", 0) == 0) return line.substr(5);
  }
  return "";
}

}  // namespace

core::Result<bool> LocalRuntime::ensure_certificate(const std::string& tenant,
                                                    const std::filesystem::path& file,
                                                    std::vector<std::string> domains,
                                                    bool use_supplied) {
  std::sort(domains.begin(), domains.end());
  if (supplied_ && use_supplied) {
    BALLAST_ASSIGN_OR_RETURN(auto pem, supplied_(tenant, domains));
    if (pem.has_value()) return write_certificate(file, *pem);
  }
  const std::string wanted = core::join(domains, "\n") + "\n";
  auto covered = core::read_file(file.string() + ".domains", 64 * 1024);
  std::error_code ec;
  const auto written = std::filesystem::last_write_time(file, ec);
  const bool is_fresh =
      !ec && std::filesystem::file_time_type::clock::now() - written < kCertificateRenewalAge;
  if (is_fresh && covered.has_value() && *covered == wanted) return false;
  BALLAST_ASSIGN_OR_RETURN(auto pem, issuer_(domains));
  BALLAST_TRY(write_certificate(file, pem));
  BALLAST_TRY(core::write_file_atomic(file.string() + ".domains", wanted, 0600));
  return true;
}

core::Result<LocalRuntime::CertificateSync> LocalRuntime::sync_certificates(
    const hp::ProxyConfig& config, const std::vector<hp::Route>& routes) {
  CertificateSync sync;
  if (!config.https) return sync;
  if (!issuer_) {
    return core::Error(core::ErrorCode::kPreconditionFailed,
                       "platform.ingress.https is set but no certificate issuer is configured")
        .with_hint("Run the platform through 'ballast up', which issues them from its local CA.");
  }
  const auto dir = hp::certificates_dir(config);
  BALLAST_TRY(core::ensure_dir(dir, 0700));
  BALLAST_TRY(core::chown_path(dir, identity_.uid, identity_.gid));
  // A supplied certificate that fails its checks leaves the file served before in place (or,
  // when there is none, one from the local CA): one tenant's expired certificate must not
  // stop the others' from being synced.
  auto ensure = [&](const std::string& tenant, const std::filesystem::path& file,
                    const std::vector<std::string>& domains) -> core::Status {
    auto written = ensure_certificate(tenant, file, domains, true);
    if (!written.has_value() && written.error().code() == core::ErrorCode::kSpecInvalid) {
      (void)catalog_.events().record(catalog::EventLevel::kWarning,
                                     tenant.empty() ? "platform" : "tenant/" + tenant,
                                     "CertificateRefused", written.error().message());
      sync.refused.push_back(written.error());
      if (std::filesystem::exists(file)) return core::ok();
      written = ensure_certificate(tenant, file, domains, false);
    }
    BALLAST_TRY(written);
    sync.is_changed = sync.is_changed || *written;
    return core::ok();
  };
  const auto& base = spec_.platform.ingress.base_domain;
  std::vector<ServedCertificateFile> served = {{"", hp::default_certificate(config)}};
  BALLAST_TRY(ensure("", served.front().file, {base, "*." + base}));
  std::string list;
  for (const auto& r : routes) {
    if (r.domains.empty()) continue;
    const auto file = dir / (r.tenant + ".pem");
    BALLAST_TRY(ensure(r.tenant, file, r.domains));
    list += file.string() + "\n";
    served.push_back({r.tenant, file});
  }
  {
    std::lock_guard lock(served_mutex_);
    served_ = std::move(served);
  }
  auto previous = core::read_file(hp::crt_list(config), 16 << 20);
  if (!previous.has_value() || *previous != list) {
    BALLAST_TRY(core::write_file_atomic(hp::crt_list(config), list, 0600));
    BALLAST_TRY(core::chown_path(hp::crt_list(config), identity_.uid, identity_.gid));
    sync.is_changed = true;
  }
  return sync;
}

core::Result<bool> LocalRuntime::write_certificate(const std::filesystem::path& file,
                                                   const core::Secret& pem) {
  auto current = core::read_file(file, 16 << 20);
  if (current.has_value() && *current == pem.reveal()) return false;
  BALLAST_TRY(core::write_file_atomic(file, pem.reveal(), 0600));
  BALLAST_TRY(core::chown_path(file, identity_.uid, identity_.gid));
  // Without its record of domains, an issued certificate is issued afresh should the spec stop
  // supplying this one.
  std::error_code ec;
  std::filesystem::remove(file.string() + ".domains", ec);
  return true;
}

std::vector<LocalRuntime::ServedCertificateFile> LocalRuntime::served_certificate_files() const {
  std::lock_guard lock(served_mutex_);
  return served_;
}

core::Status LocalRuntime::reload_proxy(const hp::ProxyConfig& config) {
  const auto master = supervisor_.pid(kProxyName);
  if (!master) return core::ok();  // not running yet: it loads them when it starts
  const std::string before = worker_pid(config);
  if (::kill(*master, SIGUSR2) != 0) {
    return core::errno_error(errno, "sending SIGUSR2 to HAProxy's master", config.pid_file);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string now = worker_pid(config);
    if (!now.empty() && now != before) return core::ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return core::make_error(core::ErrorCode::kTimeout,
                          "HAProxy did not start a new worker within 15 s after a reload")
      .with_hint("Its log under logs/ says why; the previous worker keeps serving.");
}

}  // namespace ballast::runtime::local
