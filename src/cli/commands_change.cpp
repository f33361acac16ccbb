// Change commands: requests parked for a second approver (security.approvals in the spec).
// `change list|show` read them; `change approve|reject` decide, through the daemon's API, with
// the caller's own token and TOTP code. The holder who asked cannot approve.
#include <fmt/format.h>

#include "cli/context.h"

namespace ballast::cli {
namespace {

struct ChangeArgs {
  std::string id;
  std::string reason;
  bool all = false;
};

constexpr auto kApprovalSeconds = 1800;  // an approved change runs at once (a restore, say)

std::string text_of(const nlohmann::json& c, const char* key) {
  return c.contains(key) && c[key].is_string() ? c[key].get<std::string>() : "-";
}

std::string change_line(const nlohmann::json& c) {
  return fmt::format("{:<13} {:<28} {:<20} {:<9} {:<19} {}\n", text_of(c, "id"),
                     text_of(c, "action"), text_of(c, "target"), text_of(c, "state"),
                     text_of(c, "requester"), text_of(c, "expires_at"));
}

std::string list_text(const nlohmann::json& j) {
  const auto changes = j.value("changes", nlohmann::json::array());
  if (changes.empty()) return "No changes waiting for approval.";
  std::string out = fmt::format("{:<13} {:<28} {:<20} {:<9} {:<19} {}\n", "ID", "ACTION", "TARGET",
                                "STATE", "REQUESTER", "EXPIRES");
  for (const auto& c : changes) out += change_line(c);
  return out;
}

std::string show_text(const nlohmann::json& j) {
  const auto c = j.value("change", nlohmann::json::object());
  std::string out = fmt::format(
      "change {}: {} of {}\n  state:     {}\n  request:   {} {}\n  requester: {}\n  created:   "
      "{}\n  expires:   {}",
      text_of(c, "id"), text_of(c, "action"), text_of(c, "target"), text_of(c, "state"),
      text_of(c, "method"), text_of(c, "path"), text_of(c, "requester"), text_of(c, "created_at"),
      text_of(c, "expires_at"));
  if (c.contains("decided_by")) {
    out += fmt::format("\n  decided:   by {} at {}", text_of(c, "decided_by"),
                       text_of(c, "decided_at"));
  }
  if (c.contains("reason")) out += "\n  reason:    " + text_of(c, "reason");
  if (c.contains("outcome")) out += "\n  outcome:   " + text_of(c, "outcome");
  return out;
}

using Call = std::function<core::Result<nlohmann::json>(api::Client&)>;

core::Result<int> call(Context& ctx, const Call& request,
                       const std::function<std::string(const nlohmann::json&)>& text) {
  BALLAST_ASSIGN_OR_RETURN(auto spec, ctx.load_spec());
  BALLAST_ASSIGN_OR_RETURN(auto client, ctx.client(spec));
  client.set_timeout_seconds(kApprovalSeconds);
  BALLAST_ASSIGN_OR_RETURN(auto answer, request(client));
  return ctx.emit(answer, text(answer));
}

nlohmann::json reason_body(const ChangeArgs& a) {
  nlohmann::json body = nlohmann::json::object();
  if (!a.reason.empty()) body["reason"] = a.reason;
  return body;
}

void add_decision(CLI::App& change, Context& ctx, const std::shared_ptr<ChangeArgs>& args,
                  const std::string& verb, const std::string& description,
                  const std::string& examples) {
  auto* cmd = add_command(change, verb, description, examples);
  cmd->add_option("id", args->id, "The change's id (from 'ballast change list')")->required();
  cmd->add_option("--reason", args->reason, "Why, for the audit trail");
  cmd->callback([&ctx, args, verb] {
    ctx.run = [&ctx, args, verb] {
      return ctx.guard([&] {
        return call(
            ctx,
            [args, verb](api::Client& c) {
              return c.post("/api/v1/changes/" + args->id + "/" + verb, reason_body(*args));
            },
            [verb](const nlohmann::json& j) {
              const auto decided = j.value("change", nlohmann::json::object());
              return fmt::format(
                  "Change {} {}: {} of {} ({}).", text_of(decided, "id"),
                  verb == "approve" ? "approved and run" : "rejected", text_of(decided, "action"),
                  text_of(decided, "target"),
                  verb == "approve" ? "outcome " + text_of(decided, "outcome") : "it will not run");
            });
      });
    };
  });
}

}  // namespace

void add_change_commands(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<ChangeArgs>();
  auto* change = add_command(app, "change", "Privileged requests waiting for a second approver");
  change->require_subcommand(1);
  auto* list = add_command(*change, "list", "List changes waiting for approval",
                           "  ballast change list\n  ballast change list --all --output json\n");
  list->add_flag("--all", args->all, "Include approved, rejected, expired and executed changes");
  list->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return ctx.guard([&] {
        const std::string query = args->all ? "?all=true" : "";
        return call(
            ctx, [query](api::Client& c) { return c.get("/api/v1/changes" + query); }, list_text);
      });
    };
  });
  auto* show =
      add_command(*change, "show", "Show one change", "  ballast change show 3f9a0c1d2e4b\n");
  show->add_option("id", args->id, "The change's id")->required();
  show->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return ctx.guard([&] {
        return call(
            ctx, [args](api::Client& c) { return c.get("/api/v1/changes/" + args->id); },
            show_text);
      });
    };
  });
  add_decision(*change, ctx, args, "approve",
               "Approve a change and run it: another holder than the one who asked, with a TOTP "
               "code",
               "  ballast change approve 3f9a0c1d2e4b --totp 123456\n");
  add_decision(*change, ctx, args, "reject", "Reject a change: it never runs",
               "  ballast change reject 3f9a0c1d2e4b --reason 'not during month end' --totp "
               "123456\n");
}

}  // namespace ballast::cli
