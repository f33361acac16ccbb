// `ballast mail list|show|clear`: the mail that copies (staging, development) sent to the
// platform's catcher, through the daemon's API. Production mail is delivered, never caught.
#include <fmt/format.h>

#include "cli/context.h"

namespace ballast::cli {
namespace {

struct MailArgs {
  std::string tenant;
  std::int64_t id = 0;
  int limit = 50;
  bool raw = false;
  std::string confirm;
};

std::string recipients(const nlohmann::json& m) {
  std::string out;
  for (const auto& r : m.value("to", nlohmann::json::array())) {
    out += (out.empty() ? "" : ", ") + r.get<std::string>();
  }
  return out;
}

std::string list_text(const nlohmann::json& j) {
  const auto& messages = j["messages"];
  std::string out = fmt::format("Mail caught from {} ({}): {} kept{}\n", j.value("tenant", ""),
                                j.value("environment", ""), j.value("total", 0),
                                j.value("catching", false)
                                    ? fmt::format(", catching on {}", j.value("catcher", ""))
                                    : ", not catching now (the copy is stopped)");
  if (messages.empty()) return out + "  No mail yet.\n";
  out += fmt::format("  {:>5}  {:<20}  {:<28}  {}\n", "ID", "RECEIVED", "TO", "SUBJECT");
  for (const auto& m : messages) {
    auto to = recipients(m);
    if (to.size() > 28) to = to.substr(0, 25) + "...";
    out += fmt::format("  {:>5}  {:<20}  {:<28}  {}\n", m.value("id", 0),
                       m.value("received_at", ""), to, m.value("subject", ""));
  }
  return out;
}

}  // namespace

void add_mail_commands(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<MailArgs>();
  auto* mail = add_command(app, "mail",
                           "Mail that staging and development copies sent: caught by the "
                           "platform, never delivered");
  mail->require_subcommand(1);

  auto* list = add_command(*mail, "list", "The copy's caught messages, newest first",
                           "  ballast mail list acme-staging\n"
                           "  ballast mail list acme-staging --limit 5 --output json\n");
  list->add_option("tenant", args->tenant, "The copy (staging or development tenant)")->required();
  list->add_option("--limit", args->limit, "At most this many (1-500)")->check(CLI::Range(1, 500));
  list->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return ctx.guard([&] {
        return ctx.call("GET",
                        fmt::format("/api/v1/tenants/{}/mail?limit={}", args->tenant, args->limit),
                        nullptr, list_text);
      });
    };
  });

  auto* show = add_command(*mail, "show", "One caught message: envelope, headers and body",
                           "  ballast mail show acme-staging 12\n"
                           "  ballast mail show acme-staging 12 --raw > message.eml\n");
  show->add_option("tenant", args->tenant, "The copy")->required();
  show->add_option("id", args->id, "The message's id (from 'ballast mail list')")->required();
  show->add_flag("--raw", args->raw, "Print only the message as received (an .eml file)");
  show->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return ctx.guard([&] {
        // --raw: the message as received (it ends with CRLF, so nothing is added).
        return ctx.call("GET", fmt::format("/api/v1/tenants/{}/mail/{}", args->tenant, args->id),
                        nullptr, [&](const nlohmann::json& j) {
                          if (args->raw) return j.value("message", "");
                          return fmt::format(
                              "Message {} caught from {} at {}\nFrom: {}\nTo: {}\n"
                              "Subject: {}\nSize: {} bytes\n\n{}",
                              j.value("id", 0), j.value("tenant", ""), j.value("received_at", ""),
                              j.value("from", ""), recipients(j), j.value("subject", ""),
                              j.value("size_bytes", 0), j.value("message", ""));
                        });
      });
    };
  });

  auto* clear = add_command(*mail, "clear", "Forget every message caught from the copy (audited)",
                            "  ballast mail clear acme-staging --confirm acme-staging\n");
  clear->add_option("tenant", args->tenant, "The copy")->required();
  clear->add_option("--confirm", args->confirm, "Repeat the copy's name");
  clear->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return ctx.guard([&] {
        return ctx.call("DELETE", "/api/v1/tenants/" + args->tenant + "/mail",
                        {{"confirm", args->confirm}}, [&](const nlohmann::json& j) {
                          return fmt::format("Forgot {} messages caught from {}.",
                                             j.value("removed", 0), args->tenant);
                        });
      });
    };
  });
}

}  // namespace ballast::cli
