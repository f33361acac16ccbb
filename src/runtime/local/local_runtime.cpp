#include "runtime/local/local_runtime.h"

#include "components/postgres/cluster.h"
#include "components/postgres/databases.h"
#include "components/redis/server.h"
#include "core/crypto.h"
#include "core/file.h"

namespace ballast::runtime::local {

namespace pg = components::postgres;
namespace rd = components::redis;
namespace hp = components::haproxy;

namespace {

struct HostSettings {
  spec::PostgresSettings postgres;
  spec::RedisSettings redis;
};

HostSettings settings_of(const spec::Spec& spec, const HostRef& host) {
  HostSettings s;
  s.postgres.shared_buffers = spec::ByteSize{128ULL << 20};
  s.redis.maxmemory = spec::ByteSize{256ULL << 20};
  if (host.kind == HostRef::Kind::kPool) {
    if (const auto* p = spec.find_pool(host.name)) s = {p->postgres, p->redis};
  } else if (const auto* st = spec.find_stack(host.name)) {
    s = {st->postgres, st->redis};
  }
  return s;
}

}  // namespace

LocalRuntime::LocalRuntime(const spec::Spec& spec, catalog::Catalog& catalog,
                           const core::Clock& clock, core::Identity identity)
    : spec_(spec),
      catalog_(catalog),
      clock_(clock),
      identity_(std::move(identity)),
      layout_{catalog.state_dir()},
      supervisor_(catalog, clock) {}

HostRef LocalRuntime::host_of(const catalog::TenantRecord& tenant) {
  if (tenant.tier == spec::Tier::kDedicated) return HostRef{HostRef::Kind::kStack, tenant.stack};
  return HostRef{HostRef::Kind::kPool, tenant.pool};
}

core::Status LocalRuntime::prepare() {
  // The component user must traverse the state directory to reach its own folders; the
  // files holding secrets stay 0600.
  const mode_t traverse = identity_.is_caller ? 0700 : 0711;
  BALLAST_TRY(core::ensure_dir(layout_.root, traverse));
  BALLAST_TRY(core::ensure_dir(layout_.data(), traverse));
  BALLAST_TRY(core::ensure_dir(layout_.data() / "tenants", traverse));
  BALLAST_TRY(core::ensure_dir(layout_.run(), traverse));
  BALLAST_TRY(core::ensure_dir(layout_.logs(), 0700));
  return core::ensure_dir(layout_.trash(), 0700);
}

core::Result<core::Secret> LocalRuntime::secret(const std::string& scope, const std::string& name) {
  return catalog_.secrets().get_or_create(scope, name, [] { return core::random_token(24); });
}

core::Result<std::uint16_t> LocalRuntime::postgres_port(const HostRef& host) {
  return catalog_.components().allocate_port(postgres_name(host),
                                             settings_of(spec_, host).postgres.port);
}

core::Result<std::uint16_t> LocalRuntime::redis_port(const HostRef& host) {
  return catalog_.components().allocate_port(redis_name(host), settings_of(spec_, host).redis.port);
}

core::Result<std::uint16_t> LocalRuntime::proxy_stats_port() {
  return catalog_.components().allocate_port("platform/haproxy-stats");
}

core::Result<pg::ClusterConfig> LocalRuntime::cluster_config(const HostRef& host) {
  BALLAST_ASSIGN_OR_RETURN(const auto port, postgres_port(host));
  const auto settings = settings_of(spec_, host);
  pg::ClusterConfig config{layout_.pg_data(host),
                           layout_.pg_socket_dir(host),
                           port,
                           settings.postgres.max_connections,
                           settings.postgres.shared_buffers,
                           {},
                           {}};
  BALLAST_ASSIGN_OR_RETURN(auto tenants, catalog_.tenants().list());
  std::optional<spec::Duration> tightest;
  for (const auto& t : tenants) {
    const HostRef h = host_of(t);
    if (h.kind != host.kind || h.name != host.name) continue;
    config.grants.push_back({t.name, t.name});
    if (const auto* in_spec = spec_.find_tenant(t.name)) {
      const auto rpo = in_spec->continuity.tightest_rpo();
      if (!tightest || rpo < *tightest) tightest = rpo;
    }
  }
  BALLAST_ASSIGN_OR_RETURN(auto archive, stanza(host));
  if (!archive.repos.empty()) {
    // WAL is shipped at least this often, so the tightest RPO on the cluster holds when idle.
    const auto timeout = std::clamp<spec::Duration>(tightest.value_or(spec::Duration(3600)) / 2,
                                                    spec::Duration(30), spec::Duration(3600));
    config.settings = {
        {"archive_mode", "on"},
        {"archive_command", "'" + components::pgbackrest::archive_command(archive) + "'"},
        {"archive_timeout", std::to_string(timeout.count()) + "s"},
        {"wal_level", "replica"}};
  }
  return config;
}

core::Status LocalRuntime::start_postgres(const HostRef& host) {
  BALLAST_ASSIGN_OR_RETURN(const auto port, postgres_port(host));
  BALLAST_ASSIGN_OR_RETURN(auto password, secret(host.owner(), "postgres_admin_password"));
  BALLAST_ASSIGN_OR_RETURN(auto config, cluster_config(host));
  BALLAST_ASSIGN_OR_RETURN(auto archive, stanza(host));
  if (!pg::is_initialised(config.data_dir)) BALLAST_TRY(pg::initdb(config, password, identity_));
  if (!archive.repos.empty()) BALLAST_TRY(components::pgbackrest::write(archive, identity_));
  BALLAST_TRY(pg::write_config(config, identity_));
  const auto log_file = layout_.log_of(postgres_name(host));
  ServiceSpec service{postgres_name(host),      "postgres", host.owner(), port,
                      config.data_dir.string(), log_file};
  // archive-push runs under the postmaster: its secrets travel in the environment.
  const auto archive_env = components::pgbackrest::secret_env(archive);
  service.command = [config, identity = identity_, log_file, archive_env] {
    auto command = pg::server_command(config, identity, log_file);
    command.env.insert(archive_env.begin(), archive_env.end());
    command.unset_env.push_back("AWS_CA_BUNDLE");
    return command;
  };
  // The probe reads the password afresh: a rotation must not make a healthy cluster look dead.
  service.probe = [this, host]() -> core::Status {
    BALLAST_TRY(postgres_admin(host));
    return core::ok();
  };
  service.find_running = [data = config.data_dir] { return pg::running_pid(data); };
  service.stop_signal = SIGINT;  // fast shutdown
  return supervisor_.start(std::move(service));
}

core::Status LocalRuntime::start_redis(const HostRef& host) {
  BALLAST_ASSIGN_OR_RETURN(const auto port, redis_port(host));
  BALLAST_ASSIGN_OR_RETURN(auto password, secret(host.owner(), "redis_admin_password"));
  const auto settings = settings_of(spec_, host);
  const auto dir = layout_.redis_dir(host);
  rd::ServerConfig config{dir,
                          dir / "redis.conf",
                          dir / "users.acl",
                          dir / "redis.pid",
                          port,
                          settings.redis.maxmemory,
                          settings.redis.maxmemory_policy};
  BALLAST_TRY(rd::write_config(config, identity_));
  if (!std::filesystem::exists(config.acl_file)) {
    BALLAST_TRY(rd::write_acl(config, password, {}, identity_));
  }
  const auto log_file = layout_.log_of(redis_name(host));
  ServiceSpec service{redis_name(host), "redis", host.owner(), port, dir.string(), log_file};
  service.command = [config, identity = identity_, log_file] {
    return rd::server_command(config, identity, log_file);
  };
  service.probe = [this, host]() -> core::Status {
    BALLAST_ASSIGN_OR_RETURN(auto client, redis_admin(host));
    return client.ping();
  };
  service.find_running = [pid_file = config.pid_file]() -> std::optional<pid_t> {
    auto text = core::read_file(pid_file, 64);
    if (!text.has_value()) return std::nullopt;
    const auto pid = static_cast<pid_t>(std::atol(text->c_str()));
    return core::process_exists(pid) ? std::optional<pid_t>(pid) : std::nullopt;
  };
  return supervisor_.start(std::move(service));
}

core::Status LocalRuntime::ensure_host(const HostRef& host) {
  if (supervisor_.is_running(postgres_name(host)) && supervisor_.is_running(redis_name(host))) {
    return core::ok();  // configured and ready; access is synced by the caller when it changes
  }
  BALLAST_TRY(core::ensure_dir(layout_.host_dir(host), 0700));
  BALLAST_TRY(core::chown_path(layout_.host_dir(host), identity_.uid, identity_.gid));
  BALLAST_TRY(start_postgres(host));
  BALLAST_TRY(start_redis(host));
  BALLAST_ASSIGN_OR_RETURN(auto admin, postgres_admin(host));
  BALLAST_TRY(pg::ensure_template(admin, pg::kTemplateDatabase));
  BALLAST_TRY(sync_host_access(host));
  // Continuity first: a repository that is down or misconfigured must not keep the cluster
  // from serving. The scheduler sets the stanza up again before the next backup.
  if (auto archive = ensure_archive(host); !archive.has_value()) {
    (void)catalog_.events().record(catalog::EventLevel::kWarning, host.owner(), "ArchiveNotReady",
                                   archive.error().to_string());
  }
  return core::ok();
}

core::Status LocalRuntime::sync_host_access(const HostRef& host) {
  BALLAST_ASSIGN_OR_RETURN(auto config, cluster_config(host));
  BALLAST_ASSIGN_OR_RETURN(auto admin, postgres_admin(host));
  // Template databases built by the app tier admit their builder role, and only it.
  BALLAST_ASSIGN_OR_RETURN(auto templates,
                           admin.query("SELECT datname FROM pg_database WHERE datname LIKE "
                                       "'ballast\\_odoo\\_%'"));
  for (const auto& row : templates.values) config.grants.push_back({row.at(0), "ballast_odoo"});
  BALLAST_TRY(pg::write_config(config, identity_));
  BALLAST_TRY(admin.exec("SELECT pg_reload_conf()"));
  BALLAST_ASSIGN_OR_RETURN(auto redis, redis_admin(host));
  BALLAST_ASSIGN_OR_RETURN(auto admin_password, secret(host.owner(), "redis_admin_password"));
  return load_redis_access(host, redis, admin_password);
}

core::Status LocalRuntime::load_redis_access(const HostRef& host, rd::Client& admin,
                                             const core::Secret& admin_password) {
  std::vector<rd::AclUser> users;
  BALLAST_ASSIGN_OR_RETURN(auto tenants, catalog_.tenants().list());
  for (const auto& t : tenants) {
    const HostRef h = host_of(t);
    if (h.kind != host.kind || h.name != host.name) continue;
    BALLAST_ASSIGN_OR_RETURN(auto redis_password, secret("tenant/" + t.name, "redis_password"));
    users.push_back({t.name, t.name, redis_password, t.state != catalog::TenantState::kSuspended});
  }
  const auto dir = layout_.redis_dir(host);
  rd::ServerConfig redis_config{
      dir, dir / "redis.conf", dir / "users.acl", dir / "redis.pid", 0, {}, {}};
  BALLAST_TRY(rd::write_acl(redis_config, admin_password, users, identity_));
  return admin.acl_load();
}

}  // namespace ballast::runtime::local
