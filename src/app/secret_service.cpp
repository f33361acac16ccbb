// Platform: rotating generated secrets — tenants' database and Redis passwords and Odoo's
// admin_passwd, clusters' admin passwords, tenants' backup keys — shared by the REST API and
// the CLI. Audited per target; never answers a secret.
#include <fmt/format.h>

#include "app/platform.h"
#include "core/text.h"

namespace ballast::app {

core::Result<nlohmann::json> Platform::secret_rotate(reconcile::TenantSecret kind,
                                                     const std::string& tenant,
                                                     const std::string& reason,
                                                     const Actor& actor) {
  std::lock_guard lock(changes_);
  const std::string kind_name(reconcile::to_string(kind));
  nlohmann::json detail = {{"kind", kind_name}};
  if (!reason.empty()) detail["reason"] = reason;
  std::vector<std::string> names;
  if (!tenant.empty()) {
    names.push_back(tenant);
  } else {
    BALLAST_ASSIGN_OR_RETURN(auto all, catalog_->tenants().list());
    for (const auto& t : all) names.push_back(t.name);
  }
  nlohmann::json rotated = nlohmann::json::array();
  for (const auto& name : names) {
    const std::string target = "tenant/" + name + "/" + kind_name;
    auto done = require_runtime().and_then([&] { return ops_->rotate_secret(name, kind); });
    nlohmann::json entry = {{"tenant", name}};
    if (done.has_value()) {
      entry["restarted_app"] = done->restarted_app;
      entry["unavailable_ms"] = done->unavailable.count();
    }
    BALLAST_TRY(audit(actor, "secret.rotate", target,
                      done.has_value() ? core::ok() : core::Status(done.error()), detail));
    if (!done.has_value()) {
      if (rotated.empty()) return std::move(done).error();
      return std::move(done).error().with_hint(
          fmt::format("{} tenant(s) before '{}' were rotated; run the command again to finish "
                      "the others.",
                      rotated.size(), name));
    }
    rotated.push_back(entry);
  }
  return nlohmann::json{{"kind", kind_name}, {"tenants", rotated}};
}

}  // namespace ballast::app

namespace ballast::app {
namespace {

using runtime::local::HostRef;

// The pools and stacks `cluster` names (every one of the spec's when empty).
core::Result<std::vector<HostRef>> clusters(const spec::Spec& spec, const std::string& cluster) {
  std::vector<HostRef> all;
  std::vector<std::string_view> names;
  for (const auto& p : spec.pools) all.push_back({HostRef::Kind::kPool, p.name});
  for (const auto& s : spec.stacks) all.push_back({HostRef::Kind::kStack, s.name});
  if (cluster.empty()) return all;
  for (const auto& h : all) {
    if (h.name == cluster) return std::vector<HostRef>{h};
    names.push_back(h.name);
  }
  return core::make_error(core::ErrorCode::kNotFound, "no pool or stack is named '{}'{}", cluster,
                          core::did_you_mean(cluster, names))
      .with_hint("Name a pool or stack of the spec with --cluster, or leave it out for all.");
}

core::Error repository_passphrase_refusal() {
  return core::Error(core::ErrorCode::kUnimplemented,
                     "a repository's passphrase cannot be rotated in place: pgBackRest encrypts "
                     "the repository's info files and every backup's own key with it and has no "
                     "command to re-encrypt them")
      .with_hint(
          "Add a new repository to the spec (it gets a new passphrase), list it first in the "
          "pools' and stacks' backup.repositories, run 'ballast apply' and a full backup there; "
          "remove the old repository once its retention has passed.");
}

}  // namespace

core::Result<nlohmann::json> Platform::secret_rotate_platform(std::string_view kind,
                                                              const std::string& cluster,
                                                              const std::string& tenant,
                                                              const std::string& reason,
                                                              const Actor& actor) {
  std::lock_guard lock(changes_);
  nlohmann::json detail = {{"kind", kind}};
  if (!reason.empty()) detail["reason"] = reason;
  if (kind == "repository-passphrase") {
    const auto refused = repository_passphrase_refusal();
    BALLAST_TRY(audit(actor, "secret.rotate", "repository/repository-passphrase",
                      core::Status(refused), detail));
    return refused;
  }
  if (kind == "backup-key") {
    const std::string target = "tenant/" + tenant + "/backup-key";
    auto generation = [&]() -> core::Result<std::uint32_t> {
      if (tenant.empty()) {
        return core::Error(core::ErrorCode::kInvalidArgument, "'backup-key' needs a tenant")
            .with_hint("Run 'ballast secret rotate backup-key --tenant NAME'.");
      }
      BALLAST_TRY(catalog_->tenants().get(tenant));
      BALLAST_TRY(require_runtime());
      return backups_->rotate_key(tenant);
    }();
    BALLAST_TRY(audit(actor, "secret.rotate", target,
                      generation.has_value() ? core::ok() : core::Status(generation.error()),
                      detail));
    if (!generation.has_value()) return std::move(generation).error();
    return nlohmann::json{{"kind", kind}, {"tenant", tenant}, {"generation", *generation}};
  }
  BALLAST_TRY(require_runtime());
  BALLAST_ASSIGN_OR_RETURN(auto hosts, clusters(spec_, cluster));
  const bool is_postgres = kind == "postgres-admin-password";
  nlohmann::json rotated = nlohmann::json::array();
  for (const auto& host : hosts) {
    // Without --cluster, clusters not running (no tenant yet) are left for their first start.
    if (cluster.empty() && !runtime_->postgres_admin(host).has_value()) continue;
    auto done =
        is_postgres ? runtime_->rotate_postgres_admin(host) : runtime_->rotate_redis_admin(host);
    BALLAST_TRY(
        audit(actor, "secret.rotate", host.owner() + "/" + std::string(kind), done, detail));
    if (!done.has_value()) {
      if (rotated.empty()) return std::move(done).error();
      return std::move(done).error().with_hint(fmt::format(
          "{} cluster(s) before '{}' were rotated; run the command again with --cluster for "
          "the others.",
          rotated.size(), host.name));
    }
    rotated.push_back(host.owner());
  }
  return nlohmann::json{{"kind", kind}, {"clusters", rotated}};
}

}  // namespace ballast::app
