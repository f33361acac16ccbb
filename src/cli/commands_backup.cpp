// `ballast backup …` and `ballast restore`: through the daemon's API.
#include <fmt/format.h>

#include "cli/context.h"
#include "cli/progress.h"

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
  std::string at;
  std::string cluster;
  std::string type = "incr";
  std::string from;
  std::string copy_to;
  bool dry_run = false;
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

std::string verified_text(const nlohmann::json& b) {
  std::string out = "Verified: " + backup_line(b);
  const auto& wal = b.contains("wal") ? b["wal"] : nlohmann::json::object();
  if (!wal.value("checked", false)) {
    if (wal.contains("reason")) out += "\n  WAL not checked: " + wal.value("reason", "");
    return out;
  }
  for (const auto& r : wal.value("repositories", nlohmann::json::array())) {
    if (!r.value("checked", false)) {
      out += fmt::format("\n  WAL in {}: not checked, {}", r.value("repository", ""),
                         r.value("reason", ""));
    } else {
      out += fmt::format("\n  WAL in {}: all {} segments of the window there ({} to {})",
                         r.value("repository", ""), r.value("segments", 0), r.value("from", ""),
                         r.value("to", ""));
    }
  }
  return out;
}

core::Result<int> call(Context& ctx, const std::string& method, const std::string& path,
                       const nlohmann::json& body,
                       const std::function<std::string(const nlohmann::json&)>& text) {
  BALLAST_ASSIGN_OR_RETURN(auto spec, ctx.load_spec());
  BALLAST_ASSIGN_OR_RETURN(auto client, ctx.client(spec));
  client.set_timeout_seconds(24 * 3600);
  ProgressPrinter progress(ctx);
  auto answer = method == "GET" ? client.get(path)
                                : client.post_with_progress(
                                      path, body, [&progress](const auto& p) { progress(p); });
  progress.end_line();
  if (!answer.has_value()) return std::move(answer).error();
  return ctx.emit(*answer, text(*answer));
}

}  // namespace

void add_backup_commands(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<BackupArgs>();
  auto* backup = add_command(app, "backup",
                             "Backups: each tenant's encrypted streaming backup, and each "
                             "cluster's pgBackRest backups for point-in-time recovery");
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
  auto* show = add_command(
      *backup, "show",
      "Show one backup's manifest: its parts with sizes and SHA-256 checksums, the PostgreSQL "
      "and Odoo versions, installed modules, and the data checks recorded at backup time",
      "  ballast backup show acme\n  ballast backup show acme 20261122T130500.123Z-3fa9 --output "
      "json\n");
  show->add_option("tenant", args->tenant, "Tenant")->required();
  show->add_option("id", args->id, "Backup id (default: latest)");
  show->add_option("--repository", args->repository, "Repository from the spec");
  show->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return ctx.guard([&] {
        const std::string query = args->repository.empty() ? "" : "?repository=" + args->repository;
        return call(
            ctx, "GET", "/api/v1/tenants/" + args->tenant + "/backups/" + args->id + query, nullptr,
            [](const nlohmann::json& j) {
              std::string out = backup_line(j) + "\n";
              const auto& m = j["manifest"];
              out += fmt::format("  PostgreSQL {}, Odoo {}, {} modules, WAL position {}\n",
                                 m.value("postgres_version", "?"), m.value("odoo_version", "-"),
                                 j.value("modules", 0), j.value("lsn", ""));
              for (const auto& part : m.value("parts", nlohmann::json::array())) {
                out += fmt::format("  part {:<10} {} plain  sha256 {}\n", part.value("name", ""),
                                   size_text(part.value("plain_bytes", 0ULL)),
                                   part.value("plain_sha256", ""));
              }
              for (const auto& [table, check] : j["checks"].items())
                out += fmt::format("  check {:<24} {}\n", table, check.dump());
              return out;
            });
      });
    };
  });
  auto* verify = add_command(
      *backup, "verify",
      "Re-read a backup: stored and decrypted checksums must match its manifest; and every WAL "
      "segment of the cluster's recovery window must be in each repository",
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
                    [](const nlohmann::json& b) { return verified_text(b); });
      });
    };
  });

  auto* copy = add_command(
      *backup, "copy",
      "Copy a tenant backup to another repository (off-site), as stored: still encrypted with "
      "the tenant's key and under the target's object lock",
      "  ballast backup copy acme --to offsite\n"
      "  ballast backup copy acme 20261122T130500.123Z-3fa9 --from local --to offsite\n");
  copy->add_option("tenant", args->tenant, "Tenant")->required();
  copy->add_option("id", args->id, "Backup id (default: latest)");
  copy->add_option("--from", args->from, "Source repository (default: the tenant's first)");
  copy->add_option("--to", args->copy_to, "Target repository from the spec")->required();
  copy->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return ctx.guard([&] {
        return call(
            ctx, "POST", "/api/v1/tenants/" + args->tenant + "/backups/" + args->id + "/copy",
            {{"from", args->from}, {"to", args->copy_to}}, [](const nlohmann::json& j) {
              std::string out = fmt::format(
                  "Copied {} of '{}' from '{}' to '{}': {} in "
                  "{:.1f} s.",
                  j.value("backup", ""), j.value("tenant", ""), j.value("from", ""),
                  j.value("to", ""), size_text(j.value("bytes", 0ULL)), j.value("seconds", 0.0));
              if (!j.value("retained_until", "").empty())
                out += " Locked until " + j.value("retained_until", "") + ".";
              return out;
            });
      });
    };
  });
  auto* expire = add_command(
      *backup, "expire",
      "Apply the repository's retention (daily/weekly/monthly, as in the spec) to tenant "
      "backups; object-locked backups are never deleted, only listed",
      "  ballast backup expire --dry-run\n  ballast backup expire --tenant acme --repository "
      "offsite\n");
  expire->add_option("--tenant", args->tenant, "Only this tenant (default: every tenant)");
  expire->add_option("--repository", args->repository,
                     "Repository from the spec (default: each tenant's first)");
  expire->add_flag("--dry-run", args->dry_run, "Show what would be deleted; delete nothing");
  expire->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return ctx.guard([&] {
        return call(ctx, "POST", "/api/v1/backups/expire",
                    {{"tenant", args->tenant},
                     {"repository", args->repository},
                     {"dry_run", args->dry_run}},
                    [](const nlohmann::json& j) {
                      std::string out;
                      const bool dry = j.value("dry_run", false);
                      for (const auto& t : j["tenants"]) {
                        out += fmt::format("{} in '{}': {} kept, {} {}, {} locked\n",
                                           t.value("tenant", ""), t.value("repository", ""),
                                           t["kept"].size(), t["expired"].size(),
                                           dry ? "would expire" : "expired", t["locked"].size());
                        for (const auto& id : t["expired"])
                          out += "  " + std::string(dry ? "would expire " : "expired ") +
                                 id.get<std::string>() + "\n";
                        for (const auto& l : t["locked"])
                          out += "  kept (locked) " + l.value("id", "") + "\n";
                      }
                      return out.empty() ? std::string("No tenant backups.") : out;
                    });
      });
    };
  });
  auto* cluster = add_command(
      *backup, "cluster",
      "Back up a pool's or stack's whole PostgreSQL cluster now with pgBackRest (the daemon "
      "also does it on the spec's schedule); this is what point-in-time recovery starts from",
      "  ballast backup cluster shared-eu --type full\n"
      "  ballast backup cluster stack:lexington-legal --type incr --output json\n");
  cluster
      ->add_option("name", args->cluster, "Pool or stack (pool:NAME or stack:NAME when both exist)")
      ->required();
  cluster
      ->add_option("--type", args->type,
                   "full, diff or incr (default incr; pgBackRest makes "
                   "the first one full)")
      ->check(CLI::IsMember({"full", "diff", "incr"}));
  cluster->add_option("--repository", args->repository,
                      "Only this repository of the cluster's backup policy (default: each of "
                      "them, in the spec's order)");
  cluster->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return ctx.guard([&] {
        return call(
            ctx, "POST", "/api/v1/clusters/" + args->cluster + "/backups",
            {{"type", args->type}, {"repository", args->repository}}, [](const nlohmann::json& b) {
              std::string out = fmt::format(
                  "Backed up {} ({}): {}  {} -> {} stored, LSN {} to {}, "
                  "{:.1f} s",
                  b.value("cluster", ""), b.value("type", ""), b.value("label", ""),
                  size_text(b.value("size_bytes", 0ULL)), size_text(b.value("stored_bytes", 0ULL)),
                  b.value("lsn_start", ""), b.value("lsn_stop", ""), b.value("seconds", 0.0));
              for (const auto& r : b.value("repositories", nlohmann::json::array())) {
                out += fmt::format("\n  {:<12} {}  {} stored, {:.1f} s", r.value("repository", ""),
                                   r.value("label", ""), size_text(r.value("stored_bytes", 0ULL)),
                                   r.value("seconds", 0.0));
              }
              return out;
            });
      });
    };
  });
  auto* history = add_command(
      *backup, "history",
      "List a pool's or stack's cluster backups (scheduled and manual, with failures and "
      "verifications) and the window point-in-time recovery can reach",
      "  ballast backup history shared-eu\n");
  history->add_option("name", args->cluster, "Pool or stack")->required();
  history->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return ctx.guard([&] {
        return call(ctx, "GET", "/api/v1/clusters/" + args->cluster + "/backups", nullptr,
                    [](const nlohmann::json& j) {
                      std::string out =
                          fmt::format("Cluster backups of {}:\n", j.value("cluster", ""));
                      for (const auto& b : j["backups"]) {
                        out += fmt::format(
                            "  {:<8} {:<9} {}  {} stored  {}{}\n", b.value("type", ""),
                            b.value("state", ""), b.value("started", ""),
                            size_text(b.value("stored_bytes", 0ULL)), b.value("repository", ""),
                            b.value("error", "").empty() ? "" : "  error: " + b.value("error", ""));
                      }
                      if (j["backups"].empty()) out += "  (none yet)\n";
                      if (j.contains("recovery_window")) {
                        out += fmt::format("Point-in-time recovery reaches {} to {}.\n",
                                           j["recovery_window"].value("earliest", ""),
                                           j["recovery_window"].value("latest", ""));
                      }
                      return out;
                    });
      });
    };
  });
  auto* window = add_command(*backup, "window",
                             "Show the earliest and latest second a tenant can be restored to",
                             "  ballast backup window acme\n");
  window->add_option("tenant", args->tenant, "Tenant")->required();
  window->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return ctx.guard([&] {
        return call(ctx, "GET", "/api/v1/tenants/" + args->tenant + "/recovery-window", nullptr,
                    [](const nlohmann::json& j) {
                      return fmt::format(
                          "{} (cluster {}) can be restored to any second from {} "
                          "to {}.",
                          j.value("tenant", ""), j.value("cluster", ""), j.value("earliest", ""),
                          j.value("latest", ""));
                    });
      });
    };
  });

  auto* restore = add_command(
      app, "restore",
      "Restore a tenant into a new tenant (default) or in place: from one of its backups (--to), "
      "or to any second of its recovery window (--at) out of the cluster's continuous archive",
      "  ballast restore acme --to latest --as acme-restored\n"
      "  ballast restore acme --at 2026-11-22T09:30:00Z --as acme-0930 --reason \"wrong import at "
      "09:31\"\n"
      "  ballast restore acme --to 20261122T130500.123Z-3fa9 --in-place --confirm acme "
      "--reason \"bad import\" --totp 123456\n");
  restore->add_option("tenant", args->tenant, "Tenant whose data is restored")->required();
  restore->add_option("--to", args->to, "Backup id, or 'latest'");
  restore->add_option("--at", args->at,
                      "A second (RFC 3339, e.g. 2026-11-22T09:30:00Z) inside the recovery window "
                      "('ballast backup window TENANT')");
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
        if (!args->at.empty()) {
          body["at"] = args->at;
          body.erase("to");
        }
        return call(ctx, "POST", "/api/v1/tenants/" + args->tenant + "/restore", body,
                    [](const nlohmann::json& j) {
                      const std::string source =
                          j.contains("at")
                              ? "'" + j.value("tenant", "") + "' as of " + j.value("at", "")
                              : "backup " + j.value("backup", "") + " of '" +
                                    j.value("tenant", "") + "'";
                      std::string out =
                          fmt::format("Restored {} into '{}' in {:.1f} s.\nRecovery point: {}",
                                      source, j.value("restored_into", ""), j.value("seconds", 0.0),
                                      j.value("recovery_point", ""));
                      if (j.contains("filestore")) {
                        const auto& f = j["filestore"];
                        out += fmt::format(
                            "\nFile store: {} objects referenced, {} from the keep "
                            "of deleted files, {} missing",
                            f.value("referenced", 0), f.value("from_keep", 0), f["missing"].size());
                      }
                      return out;
                    });
      });
    };
  });
}

}  // namespace ballast::cli
