// LocalRuntime: admin connections to a host's PostgreSQL and Redis, and rotating their admin
// passwords. Every consumer (daemon, pgBackRest runs, dumps, probes) reads these passwords from
// the catalog when it connects, so the catalog is the one place a rotation has to reach.
#include "components/postgres/databases.h"
#include "components/redis/server.h"
#include "core/crypto.h"
#include "runtime/local/local_runtime.h"

namespace ballast::runtime::local {

namespace pg = components::postgres;
namespace rd = components::redis;

namespace {

constexpr std::string_view kPostgresAdmin = "postgres_admin_password";
constexpr std::string_view kRedisAdmin = "redis_admin_password";

std::string next_name(std::string_view name) { return std::string(name) + ".next"; }

}  // namespace

core::Result<core::Secret> LocalRuntime::admin_secret(
    const HostRef& host, const std::string& name,
    const std::function<core::Status(const core::Secret&)>& connect) {
  BALLAST_ASSIGN_OR_RETURN(auto current, secret(host.owner(), name));
  auto accepted = connect(current);
  if (accepted.has_value()) return current;
  if (accepted.error().code() != core::ErrorCode::kUnauthenticated) {
    return std::move(accepted).error();
  }
  auto next = catalog_.secrets().get(host.owner(), next_name(name));
  if (!next.has_value()) return std::move(accepted).error();
  BALLAST_TRY(connect(*next));
  // The component took the new secret before the catalog did: finish that rotation now.
  BALLAST_TRY(catalog_.secrets().put(host.owner(), name, *next));
  BALLAST_TRY(catalog_.secrets().remove(host.owner(), next_name(name)));
  return next;
}

core::Result<pg::Connection> LocalRuntime::postgres_admin(const HostRef& host,
                                                          const std::string& database) {
  BALLAST_ASSIGN_OR_RETURN(const auto port, postgres_port(host));
  const std::string socket = layout_.pg_socket_dir(host).string();
  std::optional<pg::Connection> opened;
  BALLAST_TRY(admin_secret(
      host, std::string(kPostgresAdmin), [&](const core::Secret& password) -> core::Status {
        BALLAST_ASSIGN_OR_RETURN(auto c, pg::Connection::open(pg::ConnectionParams{
                                             socket, port, pg::kAdminRole, password, database}));
        opened.emplace(std::move(c));
        return core::ok();
      }));
  return std::move(*opened);
}

core::Result<rd::Client> LocalRuntime::redis_admin(const HostRef& host) {
  BALLAST_ASSIGN_OR_RETURN(const auto port, redis_port(host));
  std::optional<rd::Client> opened;
  BALLAST_TRY(admin_secret(
      host, std::string(kRedisAdmin), [&](const core::Secret& password) -> core::Status {
        BALLAST_ASSIGN_OR_RETURN(auto c,
                                 rd::Client::connect("127.0.0.1", port, rd::kAdminUser, password));
        opened.emplace(std::move(c));
        return core::ok();
      }));
  return std::move(*opened);
}

core::Status LocalRuntime::rotate_postgres_admin(const HostRef& host) {
  const std::string owner = host.owner();
  // Connected with the password in force; the session outlives the change.
  BALLAST_ASSIGN_OR_RETURN(auto admin, postgres_admin(host));
  const core::Secret next = core::random_token(24);
  auto& secrets = catalog_.secrets();
  BALLAST_TRY(secrets.put(owner, next_name(kPostgresAdmin), next));
  auto changed = pg::set_password(admin, pg::kAdminRole, next);
  if (!changed.has_value()) {
    (void)secrets.remove(owner, next_name(kPostgresAdmin));
    return std::move(changed).error().with_context("rotating the PostgreSQL admin password of '" +
                                                   owner + "'");
  }
  BALLAST_TRY(secrets.put(owner, kPostgresAdmin, next));
  return secrets.remove(owner, next_name(kPostgresAdmin));
}

core::Status LocalRuntime::rotate_redis_admin(const HostRef& host) {
  const std::string owner = host.owner();
  BALLAST_ASSIGN_OR_RETURN(auto admin, redis_admin(host));
  BALLAST_ASSIGN_OR_RETURN(auto previous, secret(owner, std::string(kRedisAdmin)));
  const core::Secret next = core::random_token(24);
  auto& secrets = catalog_.secrets();
  BALLAST_TRY(secrets.put(owner, next_name(kRedisAdmin), next));
  auto loaded = load_redis_access(host, admin, next);
  if (!loaded.has_value()) {
    (void)load_redis_access(host, admin, previous);
    (void)secrets.remove(owner, next_name(kRedisAdmin));
    return std::move(loaded).error().with_context("rotating the Redis admin password of '" + owner +
                                                  "'");
  }
  BALLAST_TRY(secrets.put(owner, kRedisAdmin, next));
  return secrets.remove(owner, next_name(kRedisAdmin));
}

}  // namespace ballast::runtime::local
