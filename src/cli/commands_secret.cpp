// Secret commands: `secret rotate master-key` re-seals every secret under a new master key —
// through the daemon when it runs (it holds the key in memory), else directly while holding
// the daemon's lock. Crash-safe by construction: see catalog/master_key.h.
// `secret rotate db-password|redis-password|odoo-master-password [--tenant T]` replaces a
// tenant's generated secret through the daemon, which updates the running components; so do
// `postgres-admin-password|redis-admin-password [--cluster C]` for a cluster's admin password
// and `backup-key --tenant T` (a new key generation). `repository-passphrase` is refused.
#include <fmt/format.h>
#include <unistd.h>

#include "catalog/master_key.h"
#include "cli/context.h"
#include "core/file.h"
#include "core/text.h"
#include "reconcile/tenant_ops.h"

namespace ballast::cli {
namespace {

struct RotateArgs {
  std::string kind;
  std::string tenant;
  std::string cluster;
  std::string reason;
};

constexpr auto kTenantRotationSeconds = 1800;  // every tenant's Odoo may be restarted

std::string tenant_rotated_text(const nlohmann::json& j) {
  if (j.contains("clusters")) {
    std::vector<std::string> names;
    for (const auto& c : j["clusters"]) names.push_back(c.get<std::string>());
    return fmt::format("Rotated {} of {} cluster(s){}{}", j.value("kind", ""), names.size(),
                       names.empty() ? "." : ": ", core::join(names, ", "));
  }
  if (j.contains("generation")) {
    return fmt::format(
        "Rotated the backup key of tenant '{}': new backups use generation {}; older backups "
        "keep the key their manifest names.",
        j.value("tenant", ""), j.value("generation", 0));
  }
  std::string out = fmt::format("Rotated {} of {} tenant(s).", j.value("kind", ""),
                                j.value("tenants", nlohmann::json::array()).size());
  for (const auto& t : j.value("tenants", nlohmann::json::array())) {
    out += fmt::format("\n  {}: ", t.value("tenant", ""));
    if (t.value("restarted_app", false)) {
      out += fmt::format("Odoo restarted ({:.1f} s behind the maintenance page)",
                         static_cast<double>(t.value("unavailable_ms", 0)) / 1000.0);
    } else {
      out += "no restart needed";
    }
  }
  return out;
}

core::Result<int> rotate_tenant_secret(Context& ctx, const RotateArgs& args) {
  BALLAST_ASSIGN_OR_RETURN(auto spec, ctx.load_spec());
  const app::StatePaths paths{spec.state_dir()};
  if (!core::is_locked(paths.lock())) {
    return core::Error(core::ErrorCode::kUnavailable,
                       "rotating '" + args.kind + "' needs the running daemon")
        .with_hint(
            "Start it with 'ballast up --detach': it changes the secret where the running "
            "components use it.");
  }
  BALLAST_ASSIGN_OR_RETURN(auto client, ctx.client(spec));
  client.set_timeout_seconds(kTenantRotationSeconds);
  nlohmann::json body = {{"kind", args.kind}};
  if (!args.tenant.empty()) body["tenant"] = args.tenant;
  if (!args.cluster.empty()) body["cluster"] = args.cluster;
  if (!args.reason.empty()) body["reason"] = args.reason;
  BALLAST_ASSIGN_OR_RETURN(auto answer, client.post("/api/v1/secrets/rotate", body));
  return ctx.emit(answer, tenant_rotated_text(answer));
}

std::string rotated_text(const nlohmann::json& j) {
  return fmt::format(
      "Master key rotated: {} secret(s) re-sealed, key {} replaced by {}.\nBack up the new "
      "master.key now, apart from the catalog.",
      j.value("secrets", 0), j.value("old_key_id", ""), j.value("new_key_id", ""));
}

std::string local_user() {
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : std::to_string(::getuid());
}

// No daemon: hold its lock so none starts meanwhile, rotate, audit.
core::Result<nlohmann::json> rotate_locally(Context& ctx, spec::Spec spec,
                                            const std::string& reason) {
  const app::StatePaths paths{spec.state_dir()};
  BALLAST_ASSIGN_OR_RETURN(auto lock, core::FileLock::acquire(paths.lock()));
  BALLAST_ASSIGN_OR_RETURN(
      auto platform, app::Platform::open(std::move(spec), catalog::OpenMode::kExisting, ctx.clock));
  auto& catalog = platform->catalog();
  auto done = catalog::rotate_master_key(catalog.state_dir(), catalog.secrets());
  nlohmann::json detail = {{"local", true}};
  if (!reason.empty()) detail["reason"] = reason;
  const core::Status outcome = done.has_value() ? core::ok() : core::Status(done.error());
  BALLAST_TRY(platform->audit(app::Actor{"cli:" + local_user()}, "secret.rotate",
                              "secret/master-key", outcome, detail));
  if (!done.has_value()) return std::move(done).error();
  return nlohmann::json{{"old_key_id", done->old_key_id},
                        {"new_key_id", done->new_key_id},
                        {"secrets", done->secrets}};
}

core::Result<int> rotate(Context& ctx, const RotateArgs& args) {
  if (args.kind != "master-key") return rotate_tenant_secret(ctx, args);
  if (!args.tenant.empty()) {
    return core::Error(core::ErrorCode::kInvalidArgument,
                       "'master-key' belongs to the platform, not to a tenant")
        .with_hint("Run 'ballast secret rotate master-key' without --tenant.");
  }
  BALLAST_ASSIGN_OR_RETURN(auto spec, ctx.load_spec());
  const app::StatePaths paths{spec.state_dir()};
  nlohmann::json answer;
  if (core::is_locked(paths.lock())) {
    BALLAST_ASSIGN_OR_RETURN(auto client, ctx.client(spec));
    nlohmann::json body = nlohmann::json::object();
    if (!args.reason.empty()) body["reason"] = args.reason;
    BALLAST_ASSIGN_OR_RETURN(answer, client.post("/api/v1/secrets/master-key/rotate", body));
  } else {
    BALLAST_ASSIGN_OR_RETURN(answer, rotate_locally(ctx, std::move(spec), args.reason));
  }
  return ctx.emit(answer, rotated_text(answer));
}

}  // namespace

void add_secret_commands(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<RotateArgs>();
  auto* secret = add_command(app, "secret", "Secrets sealed in the catalog");
  secret->require_subcommand(1);
  auto* rotate_cmd = add_command(
      *secret, "rotate", "Rotate a secret and update what uses it",
      "  ballast secret rotate master-key --totp 123456   # the daemon runs: needs TOTP\n"
      "  ballast secret rotate master-key                 # the daemon is stopped\n"
      "  ballast secret rotate db-password --tenant acme --totp 123456\n"
      "  ballast secret rotate redis-password --totp 123456    # every tenant's\n"
      "  ballast secret rotate odoo-master-password --tenant acme --output json\n"
      "  ballast secret rotate postgres-admin-password --cluster main --totp 123456\n"
      "  ballast secret rotate redis-admin-password --totp 123456   # every cluster's\n"
      "  ballast secret rotate backup-key --tenant acme --totp 123456\n");
  std::vector<std::string> kinds = {"master-key"};
  for (const auto kind : reconcile::kAllTenantSecrets) {
    kinds.emplace_back(reconcile::to_string(kind));
  }
  for (const auto kind : app::kPlatformSecretKinds) kinds.emplace_back(kind);
  rotate_cmd
      ->add_option("kind", args->kind,
                   "What to rotate: master-key (re-seals the catalog), db-password (PostgreSQL "
                   "role), redis-password (Redis ACL user), odoo-master-password (Odoo's "
                   "admin_passwd), postgres-admin-password and redis-admin-password (a "
                   "cluster's superuser), backup-key (a tenant's backup key: a new generation, "
                   "older backups keep theirs), repository-passphrase (refused: pgBackRest "
                   "cannot change it; the error says what to do instead)")
      ->required()
      ->check(CLI::IsMember(kinds));
  rotate_cmd->add_option(
      "--tenant", args->tenant,
      "Only this tenant's secret (default: every tenant's); backup-key needs it");
  rotate_cmd->add_option("--cluster", args->cluster,
                         "For postgres-admin-password and redis-admin-password: this pool or "
                         "stack only (default: every running one)");
  rotate_cmd->add_option("--reason", args->reason, "Why, for the audit trail");
  rotate_cmd->callback([&ctx, args] {
    ctx.run = [&ctx, args] { return ctx.guard([&] { return rotate(ctx, *args); }); };
  });
}

}  // namespace ballast::cli
