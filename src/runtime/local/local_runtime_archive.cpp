// LocalRuntime: continuous archiving and cluster backups with pgBackRest.
#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>
#include <sys/stat.h>

#include "components/postgres/cluster.h"
#include "core/file.h"
#include "runtime/local/local_runtime.h"

namespace ballast::runtime::local {

namespace pbr = components::pgbackrest;

namespace {

const spec::BackupPolicy* policy_of(const spec::Spec& spec, const HostRef& host) {
  if (host.kind == HostRef::Kind::kPool) {
    const auto* p = spec.find_pool(host.name);
    return p != nullptr ? &p->backup : nullptr;
  }
  const auto* s = spec.find_stack(host.name);
  return s != nullptr ? &s->backup : nullptr;
}

std::string endpoint_host(const std::string& url) {
  const auto scheme = url.find("://");
  std::string rest = scheme == std::string::npos ? url : url.substr(scheme + 3);
  return rest.substr(0, rest.find('/'));
}

core::Secret env_value(const std::string& name) {
  const char* v = name.empty() ? nullptr : std::getenv(name.c_str());
  return core::Secret(v != nullptr ? v : "");
}

}  // namespace

core::Result<pbr::Stanza> LocalRuntime::stanza(const HostRef& host) {
  pbr::Stanza s;
  s.name = host.slug();
  const auto dir = layout_.host_dir(host) / "pgbackrest";
  s.config_file = dir / "pgbackrest.conf";
  s.pg_data = layout_.pg_data(host);
  s.socket_dir = layout_.pg_socket_dir(host);
  BALLAST_ASSIGN_OR_RETURN(s.port, postgres_port(host));
  s.pg_user = components::postgres::kAdminRole;
  BALLAST_ASSIGN_OR_RETURN(s.pg_password, secret(host.owner(), "postgres_admin_password"));
  s.spool_dir = dir / "spool";
  s.lock_dir = dir / "lock";
  s.log_dir = layout_.logs() / "pgbackrest";
  const auto* policy = policy_of(spec_, host);
  if (policy == nullptr) return s;
  s.process_max = std::max<std::uint32_t>(1, policy->process_max);
  for (const auto& name : policy->repositories) {
    const spec::Repository* r = spec_.find_repository(name);
    if (r == nullptr) continue;
    pbr::Repo repo;
    repo.name = r->name;
    repo.is_s3 = r->type == spec::RepositoryType::kS3;
    repo.path = repo.is_s3
                    ? std::filesystem::path("/" + r->prefix + "/pgbackrest").lexically_normal()
                    : spec_.resolve(r->path) / "pgbackrest";
    repo.endpoint = endpoint_host(r->endpoint);
    repo.bucket = r->bucket;
    repo.region = r->region;
    repo.verify_tls = r->verify_tls;
    if (!r->ca_file.empty()) repo.ca_file = spec_.resolve(r->ca_file).string();
    repo.retention_full = std::max<std::uint32_t>(1, r->retention.weekly);
    repo.retention_diff = std::max<std::uint32_t>(1, r->retention.daily);
    BALLAST_ASSIGN_OR_RETURN(repo.cipher_pass,
                             secret("repository/" + r->name, "pgbackrest_cipher_pass"));
    repo.s3_key = env_value(r->access_key_id_env);
    repo.s3_secret = env_value(r->secret_access_key_env);
    if (!repo.is_s3 && !identity_.is_caller) {
      // The component user reaches its pgbackrest/ folder through the repository's root.
      BALLAST_TRY(core::ensure_dir(spec_.resolve(r->path), 0711));
    }
    s.repos.push_back(std::move(repo));
  }
  return s;
}

core::Status LocalRuntime::ensure_stanza(const HostRef& host) {
  BALLAST_ASSIGN_OR_RETURN(auto s, stanza(host));
  if (s.repos.empty()) return core::ok();
  BALLAST_TRY(pbr::write(s, identity_));
  BALLAST_TRY(pbr::run(s, identity_, {"stanza-create"}, std::chrono::seconds(300)));
  return pbr::run(s, identity_, {"check"}, std::chrono::seconds(300))
      .and_then([](const std::string&) { return core::ok(); });
}

}  // namespace ballast::runtime::local
