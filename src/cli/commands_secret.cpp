// Secret commands: `secret rotate master-key` re-seals every secret under a new master key —
// through the daemon when it runs (it holds the key in memory), else directly while holding
// the daemon's lock. Crash-safe by construction: see catalog/master_key.h.
#include <fmt/format.h>
#include <unistd.h>

#include "catalog/master_key.h"
#include "cli/context.h"
#include "core/file.h"

namespace ballast::cli {
namespace {

struct RotateArgs {
  std::string kind;
  std::string reason;
};

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
      "  ballast secret rotate master-key                 # the daemon is stopped\n");
  rotate_cmd->add_option("kind", args->kind, "What to rotate: master-key")
      ->required()
      ->check(CLI::IsMember({"master-key"}));
  rotate_cmd->add_option("--reason", args->reason, "Why, for the audit trail");
  rotate_cmd->callback([&ctx, args] {
    ctx.run = [&ctx, args] { return ctx.guard([&] { return rotate(ctx, *args); }); };
  });
}

}  // namespace ballast::cli
