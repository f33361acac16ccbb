// `ballast backup …` and `ballast restore`: through the daemon's API.
#include <fmt/format.h>

#include "cli/context.h"

namespace ballast::cli {
namespace {

struct BackupArgs {
  std::string tenant;
  std::string id = "latest";
  std::string repository;
  std::string reason;
  std::string to = "latest";
  std::string as;
  bool in_place = false;
  std::string confirm;
};

std::string size_text(std::uint64_t bytes) {
  if (bytes >= (1ULL << 30))
    return fmt::format("{:.1f} GiB", static_cast<double>(bytes) / (1ULL << 30));
  if (bytes >= (1ULL << 20))
    return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1ULL << 20));
  return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024.0);
}

std::string backup_line(const nlohmann::json& b) {
  return fmt::format("{}  {}  {} -> {} stored  {:>6} ms  {}", b.value("id", ""),
                     b.value("point_in_time", ""), size_text(b.value("plain_bytes", 0ULL)),
                     size_text(b.value("stored_bytes", 0ULL)), b.value("duration_ms", 0),
                     b.value("reason", ""));
}

core::Result<int> call(Context& ctx, const std::string& method, const std::string& path,
                       const nlohmann::json& body,
                       const std::function<std::string(const nlohmann::json&)>& text) {
  BALLAST_ASSIGN_OR_RETURN(auto spec, ctx.load_spec());
  BALLAST_ASSIGN_OR_RETURN(auto client, ctx.client(spec));
  client.set_timeout_seconds(24 * 3600);
  auto answer = method == "GET" ? client.get(path) : client.post(path, body);
  if (!answer.has_value()) return std::move(answer).error();
  return ctx.emit(*answer, text(*answer));
}

}  // namespace

void add_backup_commands(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<BackupArgs>();
  auto* backup = add_command(app, "backup", "Encrypted streaming backups of tenants");
  backup->require_subcommand(1);
  auto* create = add_command(
      *backup, "create",
      "Back up a tenant now: database and file store, compressed and "
      "encrypted with the tenant's own key",
      "  ballast backup create acme\n  ballast backup create acme --repository offsite\n");
  create->add_option("tenant", args->tenant, "Tenant")->required();
  create->add_option("--repository", args->repository,
                     "Repository from the spec (default: the tenant's first)");
  create->add_option("--reason", args->reason, "Why, for the audit trail");
  create->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return ctx.guard([&] {
        return call(ctx, "POST", "/api/v1/tenants/" + args->tenant + "/backups",
                    {{"repository", args->repository},
                     {"reason", args->reason.empty() ? "manual" : args->reason}},
                    [](const nlohmann::json& b) { return "Backed up: " + backup_line(b); });
      });
    };
  });
  auto* list = add_command(*backup, "list", "List a tenant's backups, newest first",
                           "  ballast backup list acme --output json\n");
  list->add_option("tenant", args->tenant, "Tenant")->required();
  list->add_option("--repository", args->repository, "Repository from the spec");
  list->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return ctx.guard([&] {
        const std::string query = args->repository.empty() ? "" : "?repository=" + args->repository;
        return call(ctx, "GET", "/api/v1/tenants/" + args->tenant + "/backups" + query, nullptr,
                    [](const nlohmann::json& j) {
                      std::string out =
                          fmt::format("Backups of {} in '{}':\n", j.value("tenant", ""),
                                      j.value("repository", ""));
                      for (const auto& b : j["backups"]) out += "  " + backup_line(b) + "\n";
                      if (j["backups"].empty()) out += "  (none)\n";
                      return out;
                    });
      });
    };
  });
  auto* verify = add_command(
      *backup, "verify", "Re-read a backup: stored and decrypted checksums must match its manifest",
      "  ballast backup verify acme\n  ballast backup verify acme 20261122T130500.123Z-3fa9\n");
  verify->add_option("tenant", args->tenant, "Tenant")->required();
  verify->add_option("id", args->id, "Backup id (default: latest)");
  verify->add_option("--repository", args->repository, "Repository from the spec");
  verify->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return ctx.guard([&] {
        const std::string query = args->repository.empty() ? "" : "?repository=" + args->repository;
        return call(ctx, "POST",
                    "/api/v1/tenants/" + args->tenant + "/backups/" + args->id + "/verify" + query,
                    nlohmann::json::object(),
                    [](const nlohmann::json& b) { return "Verified: " + backup_line(b); });
      });
    };
  });

  auto* restore =
      add_command(app, "restore", "Restore a tenant backup into a new tenant (default) or in place",
                  "  ballast restore acme --to latest --as acme-restored\n"
                  "  ballast restore acme --to 20261122T130500.123Z-3fa9 --in-place --confirm acme "
                  "--reason \"bad import\"\n");
  restore->add_option("tenant", args->tenant, "Tenant whose backup is restored")->required();
  restore->add_option("--to", args->to, "Backup id, or 'latest'");
  restore->add_option("--as", args->as, "Name of the new tenant to restore into");
  restore->add_flag("--in-place", args->in_place,
                    "Replace the live tenant (its data is backed up first)");
  restore->add_option("--confirm", args->confirm, "With --in-place: repeat the tenant's name");
  restore->add_option("--reason", args->reason, "Why, for the audit trail");
  restore->add_option("--repository", args->repository, "Repository from the spec");
  restore->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return ctx.guard([&] {
        nlohmann::json body = {
            {"to", args->to},           {"as", args->as},         {"in_place", args->in_place},
            {"confirm", args->confirm}, {"reason", args->reason}, {"repository", args->repository}};
        return call(ctx, "POST", "/api/v1/tenants/" + args->tenant + "/restore", body,
                    [](const nlohmann::json& j) {
                      return fmt::format(
                          "Restored backup {} of '{}' into '{}' in {:.1f} s.\nRecovery point: {}",
                          j.value("backup", ""), j.value("tenant", ""),
                          j.value("restored_into", ""), j.value("seconds", 0.0),
                          j.value("recovery_point", ""));
                    });
      });
    };
  });
}

}  // namespace ballast::cli
