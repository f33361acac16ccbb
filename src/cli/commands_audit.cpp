// Audit trail commands: verify and list. They read the catalog directly, daemon or not.
#include <fmt/format.h>

#include "cli/context.h"

namespace ballast::cli {
namespace {

core::Result<std::unique_ptr<app::Platform>> open_existing(Context& ctx) {
  BALLAST_ASSIGN_OR_RETURN(auto spec, ctx.load_spec());
  return app::Platform::open(std::move(spec), catalog::OpenMode::kExisting, ctx.clock);
}

core::Result<int> verify(Context& ctx) {
  BALLAST_ASSIGN_OR_RETURN(auto platform, open_existing(ctx));
  BALLAST_ASSIGN_OR_RETURN(auto report, platform->catalog().audit().verify());
  const nlohmann::json json = {
      {"rows", report.rows}, {"intact", report.is_intact}, {"problems", report.problems}};
  if (report.is_intact) {
    return ctx.emit(json,
                    fmt::format("The audit chain is intact: {} entries verified.", report.rows));
  }
  std::string text = fmt::format("The audit chain is BROKEN ({} entries):\n", report.rows);
  for (const auto& p : report.problems) text += "  " + p + "\n";
  ctx.emit(json, text);
  return core::kExitFailed;
}

core::Result<int> list(Context& ctx, std::int64_t after) {
  BALLAST_ASSIGN_OR_RETURN(auto platform, open_existing(ctx));
  BALLAST_ASSIGN_OR_RETURN(auto rows, platform->catalog().audit().list(after));
  nlohmann::json json = nlohmann::json::array();
  std::string text;
  for (const auto& e : rows) {
    json.push_back({{"seq", e.seq},
                    {"at", core::format_rfc3339_ms(e.at)},
                    {"actor", e.actor},
                    {"action", e.action},
                    {"target", e.target},
                    {"outcome", e.outcome},
                    {"detail", nlohmann::json::parse(e.detail, nullptr, false)}});
    text += fmt::format("{:>5} {} {:<22} {:<22} {:<28} {}\n", e.seq, core::format_rfc3339(e.at),
                        e.actor, e.action, e.target, e.outcome);
  }
  return ctx.emit({{"entries", json}}, text.empty() ? "The audit trail is empty." : text);
}

}  // namespace

void add_audit_commands(CLI::App& app, Context& ctx) {
  auto* audit = add_command(app, "audit", "The tamper-evident audit trail of every change");
  audit->require_subcommand(1);
  add_command(*audit, "verify", "Prove the hash chain is intact (exit 1 when it is not)",
              "  ballast audit verify\n")
      ->callback([&ctx] { ctx.run = [&ctx] { return ctx.guard([&] { return verify(ctx); }); }; });
  auto after = std::make_shared<std::int64_t>(0);
  auto* list_cmd =
      add_command(*audit, "list", "Show audit entries, oldest first",
                  "  ballast audit list\n  ballast audit list --after 120 --output json\n");
  list_cmd->add_option("--after", *after, "Only entries after this sequence number");
  list_cmd->callback([&ctx, after] {
    ctx.run = [&ctx, after] { return ctx.guard([&] { return list(ctx, *after); }); };
  });
}

}  // namespace ballast::cli
