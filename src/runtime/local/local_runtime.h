// The embedded single-host target: the real PostgreSQL, Redis and HAProxy of the platform,
// laid out in the state directory and kept running by the supervisor. Operations are
// idempotent: calling one twice changes nothing the second time.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include "catalog/catalog.h"
#include "components/haproxy/config.h"
#include "components/pgbackrest/stanza.h"
#include "components/postgres/cluster.h"
#include "components/postgres/connection.h"
#include "components/redis/client.h"
#include "core/identity.h"
#include "runtime/local/layout.h"
#include "runtime/local/supervisor.h"
#include "spec/model.h"

namespace ballast::runtime::local {

// A restored cluster running in a temporary directory (see LocalRuntime::restore_sandbox).
class LocalRuntime;
// Ports of a running tenant application, for the proxy's routes.
struct AppEndpoints {
  std::uint16_t http_port = 0;
  std::uint16_t websocket_port = 0;
};

class LocalRuntime final {
 public:
  LocalRuntime(const spec::Spec& spec, catalog::Catalog& catalog, const core::Clock& clock,
               core::Identity identity);

  // Creates the state directory's folders with modes the component user can traverse.
  core::Status prepare();
  // A pool's or stack's PostgreSQL and Redis: ports, secrets, initdb (only when the data
  // directory is new), config, running and ready, the template database.
  core::Status ensure_host(const HostRef& host);
  // The proxy: config, maps from the catalog, running and ready.
  core::Status ensure_proxy();
  // Starts (or adopts) every host recorded in the catalog, and the proxy.
  core::Status start_recorded();
  // Rewrites pg_hba.conf (reload) and the Redis ACL file (ACL LOAD) from the catalog's
  // tenants on `host`.
  core::Status sync_host_access(const HostRef& host);
  // Replace the host's PostgreSQL superuser (ALTER ROLE with a SCRAM verifier) or Redis admin
  // user (ACL file rewritten and loaded) password with a new random one. The new secret is
  // sealed in the catalog as "<name>.next" before the component changes, and becomes "<name>"
  // after: a rotation interrupted in between is finished by the next admin connection, which
  // falls back to "<name>.next" when "<name>" is refused. Open sessions are not cut off.
  core::Status rotate_postgres_admin(const HostRef& host);
  core::Status rotate_redis_admin(const HostRef& host);
  // Makes HAProxy's live maps and map files equal the catalog's tenants; entries changed.
  core::Result<int> sync_routes();
  // What HAProxy's live maps say now (for drift checks).
  core::Result<std::map<std::string, std::string>> live_hosts_map();
  // Per tenant, what the proxy counted since it started (or the entry expired after 7 idle
  // days): requests, 4xx and 5xx answers, requests refused by the rate limit.
  struct ProxyCounters {
    std::int64_t requests = 0;
    std::int64_t client_errors = 0;
    std::int64_t server_errors = 0;
    std::int64_t rate_limited = 0;
  };
  core::Result<std::map<std::string, ProxyCounters>> proxy_counters();

  core::Result<components::postgres::Connection> postgres_admin(
      const HostRef& host, const std::string& database = "postgres");
  core::Result<components::redis::Client> redis_admin(const HostRef& host);
  core::Result<std::uint16_t> postgres_port(const HostRef& host);
  // pgBackRest's stanza for a host's cluster, with its repositories from the spec (nullopt-like
  // empty repos when the host has none), secrets filled from the catalog and environment.
  core::Result<components::pgbackrest::Stanza> stanza(const HostRef& host);
  // stanza-create (idempotent) and check: archiving works end to end.
  core::Status ensure_stanza(const HostRef& host);
  // ensure_stanza once per process: remembered after it succeeded, tried again otherwise.
  core::Status ensure_archive(const HostRef& host);
  // A pgBackRest backup of the host's cluster (full, diff or incr) into one of its
  // repositories (by spec name; empty: the first), recorded in the catalog under that name.
  core::Result<components::pgbackrest::BackupInfo> cluster_backup(
      const HostRef& host, const std::string& type, const std::string& repository = "");
  // Whether every WAL segment of the recovery window is in a repository: from the first segment
  // its oldest backup needs to the newest PostgreSQL has archived.
  struct WalCheck {
    std::string repository;
    std::string first;  // empty: the repository holds no backup, so no window to check
    std::string last;
    std::uint64_t expected = 0;
    std::vector<std::string> missing;
  };
  core::Result<std::vector<WalCheck>> check_wal(const HostRef& host);
  // Makes everything committed so far recoverable: a heartbeat commit (recovery to a time
  // stops at the first commit after it), then `pgbackrest check`, which switches WAL and waits
  // until the segment is in the repository.
  core::Status archive_now(const HostRef& host);
  // Commits one row into the cluster's heartbeat table: a transaction at a known time, so a
  // recovery to just after it can tell what it reached.
  core::Status heartbeat(const HostRef& host);
  // pgbackrest verify: the repository's backups and WAL are readable and checksums match.
  core::Status verify_repository(const HostRef& host);
  // What point-in-time recovery can reach: from the end of the oldest backup to now.
  struct RecoveryWindow {
    core::SystemTime earliest{};
    core::SystemTime latest{};
    core::SystemTime newest_backup{};  // when the newest backup set stopped
  };
  core::Result<RecoveryWindow> recovery_window(const HostRef& host);
  // What `pgbackrest verify` of the first repository finds wrong, one line per problem
  // (a file whose checksum does not match, a missing WAL segment); empty when all is well.
  core::Result<std::vector<std::string>> verify_findings(const HostRef& host);
  // The cluster restored into a throwaway directory with only `database` (pgbackrest restore
  // --db-include --type=time), replayed to `target` by a postmaster on a free loopback port.
  // Stopped and removed when the object goes.
  class Sandbox;
  core::Result<std::unique_ptr<Sandbox>> restore_sandbox(const HostRef& host,
                                                         const std::string& database,
                                                         core::SystemTime target);
  // Removes sandboxes left by a daemon that died mid-restore; their names.
  std::vector<std::string> remove_stale_sandboxes();
  core::Result<std::uint16_t> redis_port(const HostRef& host);
  core::Result<std::uint16_t> proxy_stats_port();

  void tick() { supervisor_.tick(); }
  void stop_all() { supervisor_.stop_all(); }
  void detach_all() { supervisor_.detach_all(); }
  Supervisor& supervisor() { return supervisor_; }
  [[nodiscard]] const Layout& layout() const { return layout_; }
  [[nodiscard]] const core::Identity& identity() const { return identity_; }
  [[nodiscard]] const spec::Spec& spec() const { return spec_; }
  [[nodiscard]] const core::Clock& clock() const { return clock_; }
  // Where a tenant's application answers, when it runs (set by the app tier).
  void set_app_endpoints(std::function<std::optional<AppEndpoints>(const std::string&)> lookup) {
    app_endpoints_ = std::move(lookup);
  }
  // Issues a server certificate for `domains` and answers its PEM: the chain, then the key.
  // Set by the composition root (from the local CA); needed when the spec has ingress.https.
  using CertificateIssuer =
      std::function<core::Result<core::Secret>(const std::vector<std::string>& domains)>;
  void set_certificate_issuer(CertificateIssuer issuer) { issuer_ = std::move(issuer); }
  // The PEM the spec supplies for `tenant` ("" for the default certificate), checked against
  // `domains`: its chain, then its key; nullopt when the spec supplies none (then the issuer
  // is used). Set by the composition root, which can read certificates. kSpecInvalid (naming
  // the tenant, file and problem) refuses that certificate; other errors fail the sync.
  using SuppliedCertificate = std::function<core::Result<std::optional<core::Secret>>(
      const std::string& tenant, const std::vector<std::string>& domains)>;
  void set_supplied_certificates(SuppliedCertificate source) { supplied_ = std::move(source); }
  // One certificate file HAProxy serves (chain then key, 0600).
  struct ServedCertificateFile {
    std::string tenant;  // "" for the default certificate
    std::filesystem::path file;
  };
  // What the last certificate sync left HAProxy serving; empty without ingress.https.
  std::vector<ServedCertificateFile> served_certificate_files() const;
  // Tenants answered with the maintenance page (during upgrades).
  void set_maintenance(const std::string& tenant, bool on);
  // The host a tenant record lives on.
  static HostRef host_of(const catalog::TenantRecord& tenant);

 private:
  core::Result<core::Secret> secret(const std::string& scope, const std::string& name);
  // The host's admin secret `name` that `connect` accepts: the catalog's, or a "<name>.next"
  // left by an interrupted rotation, which then replaces it.
  core::Result<core::Secret> admin_secret(
      const HostRef& host, const std::string& name,
      const std::function<core::Status(const core::Secret&)>& connect);
  // Writes the Redis ACL file (tenants' users from the catalog, the admin user with
  // `admin_password`) and loads it through `admin`.
  core::Status load_redis_access(const HostRef& host, components::redis::Client& admin,
                                 const core::Secret& admin_password);
  core::Status start_postgres(const HostRef& host);
  // The cluster's full configuration: tenants' access, archiving to the host's repositories.
  core::Result<components::postgres::ClusterConfig> cluster_config(const HostRef& host);
  core::Status start_redis(const HostRef& host);
  core::Result<std::vector<components::haproxy::Route>> routes();
  components::haproxy::ProxyConfig proxy_config(std::uint16_t stats_port) const;
  // With ingress.https: a default certificate for the base domain and one per tenant for its
  // domains, listed in HAProxy's crt-list: the spec's own when it supplies one (rewritten when
  // the files' content changes), else issued when missing or when the domains changed.
  // A supplied certificate refused by its checks (kSpecInvalid from the source) is reported
  // in `refused` and as an event, and does not stop the others.
  struct CertificateSync {
    bool is_changed = false;  // the listener must load new certificates
    std::vector<core::Error> refused;
  };
  core::Result<CertificateSync> sync_certificates(
      const components::haproxy::ProxyConfig& config,
      const std::vector<components::haproxy::Route>& routes);
  // One certificate file: the supplied one (when `use_supplied` and the spec has one) or one
  // from the issuer when missing, old or for other domains. Whether it was written.
  core::Result<bool> ensure_certificate(const std::string& tenant,
                                        const std::filesystem::path& file,
                                        std::vector<std::string> domains, bool use_supplied);
  // Writes `pem` (chain then key) to `file` (0600, the component user's) unless it holds
  // exactly that already; whether it wrote.
  core::Result<bool> write_certificate(const std::filesystem::path& file, const core::Secret& pem);
  // A seamless reload (SIGUSR2 to HAProxy's master; listeners are handed over): waits until
  // a new worker answers on the runtime socket.
  core::Status reload_proxy(const components::haproxy::ProxyConfig& config);

  const spec::Spec& spec_;
  catalog::Catalog& catalog_;
  const core::Clock& clock_;
  core::Identity identity_;
  Layout layout_;
  Supervisor supervisor_;
  std::function<std::optional<AppEndpoints>(const std::string&)> app_endpoints_;
  CertificateIssuer issuer_;
  SuppliedCertificate supplied_;
  mutable std::mutex served_mutex_;
  std::vector<ServedCertificateFile> served_;
  std::mutex maintenance_mutex_;
  std::mutex archive_mutex_;
  std::set<std::string> archive_ready_;  // hosts whose stanza was created and checked
  std::set<std::string> maintenance_;
};

class LocalRuntime::Sandbox {
 public:
  Sandbox(std::filesystem::path dir, core::Process postmaster, std::uint16_t port);
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;
  ~Sandbox();
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
  [[nodiscard]] std::filesystem::path socket_dir() const { return dir_ / "run"; }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  // Whether the postmaster has stopped (recovery failed: a WAL segment missing, damage).
  bool has_stopped() { return !postmaster_.is_running(); }
  // The commit time of the last transaction replayed: the recovery point actually reached.
  core::SystemTime reached{};

 private:
  std::filesystem::path dir_;
  core::Process postmaster_;
  std::uint16_t port_;
};

}  // namespace ballast::runtime::local
