// Audit trail commands: verify, list and export. They read the catalog directly, daemon or
// not; `verify --file` checks an export offline, without any state directory.
#include <algorithm>

#include <fmt/format.h>

#include "backup/repository/registry.h"
#include "cli/context.h"
#include "core/file.h"
#include "security/audit_export.h"

namespace ballast::cli {
namespace {

core::Result<std::unique_ptr<app::Platform>> open_existing(Context& ctx) {
  BALLAST_ASSIGN_OR_RETURN(auto spec, ctx.load_spec());
  return app::Platform::open(std::move(spec), catalog::OpenMode::kExisting, ctx.clock);
}

core::Result<catalog::AuditVerification> verify_file(const std::string& file) {
  BALLAST_ASSIGN_OR_RETURN(auto text, core::read_file(file, 1024UL * 1024 * 1024));
  return security::verify_export(text);
}

core::Result<int> verify(Context& ctx, const std::string& file) {
  catalog::AuditVerification report;
  if (file.empty()) {
    BALLAST_ASSIGN_OR_RETURN(auto platform, open_existing(ctx));
    BALLAST_ASSIGN_OR_RETURN(report, platform->catalog().audit().verify());
  } else {
    BALLAST_ASSIGN_OR_RETURN(report, verify_file(file));
  }
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

struct ExportArgs {
  std::string file;
  std::int64_t after = 0;
  std::string repository;  // also copy the export there, off the host
};

// Copies an export into a backup repository under audit/<platform>/; the object's name.
core::Result<std::string> copy_to_repository(const app::Platform& platform, const ExportArgs& args,
                                             const std::string& text, std::int64_t last_seq) {
  BALLAST_ASSIGN_OR_RETURN(auto repository,
                           backup::open_repository(platform.spec(), args.repository));
  std::string stamp = core::format_rfc3339(platform.clock().now());
  stamp.erase(std::remove(stamp.begin(), stamp.end(), ':'), stamp.end());
  const std::string key =
      fmt::format("audit/{}/audit-{:08}-{}.jsonl", platform.spec().platform.name, last_seq, stamp);
  BALLAST_ASSIGN_OR_RETURN(auto writer, repository->create(key));
  BALLAST_TRY(writer->write(text));
  BALLAST_TRY(writer->commit());
  return repository->describe() + " " + key;
}

core::Result<int> export_to(Context& ctx, const ExportArgs& args) {
  BALLAST_ASSIGN_OR_RETURN(auto platform, open_existing(ctx));
  std::string text;
  std::int64_t rows = 0;
  catalog::AuditEntry last;
  for (std::int64_t next = args.after;;) {
    BALLAST_ASSIGN_OR_RETURN(auto entries, platform->catalog().audit().list(next));
    if (entries.empty()) break;
    for (const auto& e : entries) text += security::export_line(e);
    rows += static_cast<std::int64_t>(entries.size());
    next = entries.back().seq;
    last = entries.back();
  }
  BALLAST_TRY(core::write_file_atomic(args.file, text, 0600));
  nlohmann::json json = {{"file", args.file}, {"rows", rows}, {"last_hash", last.hash}};
  std::string copy;
  if (!args.repository.empty()) {
    BALLAST_ASSIGN_OR_RETURN(copy, copy_to_repository(*platform, args, text, last.seq));
    json["copy"] = copy;
  }
  return ctx.emit(json, fmt::format("Exported {} audit entries to {}{}; newest hash {}.\n          "
                                    "                          Check it "
                                    "anywhere with 'ballast audit verify --file {}'.",
                                    rows, args.file, copy.empty() ? "" : " and " + copy,
                                    last.hash.empty() ? "-" : last.hash, args.file));
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
  auto file = std::make_shared<std::string>();
  auto* verify_cmd =
      add_command(*audit, "verify", "Prove the hash chain is intact (exit 1 when it is not)",
                  "  ballast audit verify\n  ballast audit verify --file audit.jsonl   # an "
                  "export, offline\n");
  verify_cmd->add_option("--file", *file, "Verify this export instead of the catalog");
  verify_cmd->callback([&ctx, file] {
    ctx.run = [&ctx, file] { return ctx.guard([&] { return verify(ctx, *file); }); };
  });
  auto exported = std::make_shared<ExportArgs>();
  auto* export_cmd = add_command(
      *audit, "export", "Write the audit trail as JSON lines with both hashes (verifiable offline)",
      "  ballast audit export -o audit.jsonl\n"
      "  ballast audit export -o audit.jsonl --repository offsite   # and a copy off the host\n"
      "  ballast audit export -o new.jsonl --after 120\n");
  export_cmd->add_option("-o,--out", exported->file, "The file to write (0600)")->required();
  export_cmd->add_option("--after", exported->after, "Only entries after this sequence number");
  export_cmd->add_option("--repository", exported->repository,
                         "Also store the export in this repository of the spec");
  export_cmd->callback([&ctx, exported] {
    ctx.run = [&ctx, exported] { return ctx.guard([&] { return export_to(ctx, *exported); }); };
  });
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
