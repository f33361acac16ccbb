// API token commands (create, list, show, revoke, whoami) and TOTP enrolment, through the
// daemon's API. A token's secret is printed once, by `token create`, and never again.
#include <fmt/format.h>

#include "cli/context.h"
#include "core/text.h"

namespace ballast::cli {
namespace {

struct TokenArgs {
  std::string role;
  std::vector<std::string> tenants;
  std::string expires;
  std::string name;
  std::string id;
  std::string reason;
  std::string code;
  bool include_revoked = false;
};

using Call = std::function<core::Result<nlohmann::json>(api::Client&)>;

core::Result<int> call(Context& ctx, const Call& request,
                       const std::function<std::string(const nlohmann::json&)>& text) {
  BALLAST_ASSIGN_OR_RETURN(auto spec, ctx.load_spec());
  BALLAST_ASSIGN_OR_RETURN(auto client, ctx.client(spec));
  BALLAST_ASSIGN_OR_RETURN(auto answer, request(client));
  return ctx.emit(answer, text(answer));
}

std::string value_or_dash(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "-";
}

std::string token_line(const nlohmann::json& t) {
  return fmt::format("{:<13} {:<18} {:<15} {:<8} {:<21} {:<21} {}\n", value_or_dash(t, "id"),
                     value_or_dash(t, "name"), value_or_dash(t, "role"), value_or_dash(t, "state"),
                     value_or_dash(t, "expires_at"), value_or_dash(t, "last_used_at"),
                     core::join(t.value("tenants", std::vector<std::string>{}), ","));
}

std::string list_text(const nlohmann::json& j) {
  std::string out = fmt::format("{:<13} {:<18} {:<15} {:<8} {:<21} {:<21} {}\n", "ID", "NAME",
                                "ROLE", "STATE", "EXPIRES", "LAST USED", "TENANTS");
  for (const auto& t : j["tokens"]) out += token_line(t);
  return out;
}

std::string created_text(const nlohmann::json& j) {
  const auto& t = j["token"];
  return fmt::format(
      "Token {} created ({}, expires {}).\n\n  {}\n\nIt is shown this once: store it now, e.g. "
      "in a password manager.\nUse it with BALLAST_TOKEN=… or 'Authorization: Bearer …'; revoke "
      "it with 'ballast token revoke {}'.",
      value_or_dash(t, "id"), value_or_dash(t, "role"),
      t["expires_at"].is_null() ? "never" : value_or_dash(t, "expires_at"), j.value("secret", ""),
      value_or_dash(t, "id"));
}

std::string enrolled_text(const nlohmann::json& j) {
  return fmt::format(
      "TOTP enrolment started for {}. Add it to your authenticator app (shown this once):\n\n"
      "  secret: {}\n  URI:    {}\n\nThen prove it works: ballast token totp confirm CODE",
      j.value("holder", ""), j.value("secret", ""), j.value("uri", ""));
}

nlohmann::json create_body(const TokenArgs& a) {
  nlohmann::json body = {{"name", a.name.empty() ? a.role : a.name}, {"role", a.role}};
  if (!a.tenants.empty()) body["tenants"] = a.tenants;
  if (!a.expires.empty()) body["expires_in"] = a.expires;
  return body;
}

void add_totp_commands(CLI::App& token, Context& ctx, const std::shared_ptr<TokenArgs>& args) {
  auto* totp = add_command(token, "totp", "Second factor (TOTP) of the calling token");
  totp->require_subcommand(1);
  add_command(*totp, "enroll", "Start a TOTP enrolment: prints the secret and otpauth:// URI once",
              "  ballast token totp enroll\n"
              "  ballast token totp enroll --totp 123456   # replace a confirmed one\n")
      ->callback([&ctx] {
        ctx.run = [&ctx] {
          return ctx.guard([&] {
            return call(
                ctx, [](api::Client& c) { return c.post("/api/v1/self/totp"); }, enrolled_text);
          });
        };
      });
  auto* confirm = add_command(*totp, "confirm", "Finish a TOTP enrolment with a first code",
                              "  ballast token totp confirm 123456\n");
  confirm->add_option("code", args->code, "The current 6-digit code")->required();
  confirm->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return ctx.guard([&] {
        return call(
            ctx,
            [args](api::Client& c) {
              return c.post("/api/v1/self/totp/confirm", {{"code", args->code}});
            },
            [](const nlohmann::json&) { return std::string("TOTP confirmed."); });
      });
    };
  });
}

void add_create(CLI::App& token, Context& ctx, const std::shared_ptr<TokenArgs>& args) {
  auto* create =
      add_command(token, "create", "Create an API token; its secret is printed once",
                  "  ballast token create --role auditor --name external-audit --expires 30d\n"
                  "  ballast token create --role tenant-admin --tenant acme --tenant acme-staging\n"
                  "  ballast token create --role platform-admin --name bob --totp 123456\n");
  create->add_option("--role", args->role, "platform-admin, operator, auditor or tenant-admin")
      ->required()
      ->check(CLI::IsMember({"platform-admin", "operator", "auditor", "tenant-admin"}));
  create->add_option("--tenant", args->tenants, "A tenant a tenant-admin may act on (repeatable)");
  create->add_option("--expires", args->expires, "Lifetime, e.g. 12h, 30d (default: never)");
  create->add_option("--name", args->name, "What the token is for (default: the role)");
  create->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return ctx.guard([&] {
        return call(
            ctx, [args](api::Client& c) { return c.post("/api/v1/tokens", create_body(*args)); },
            created_text);
      });
    };
  });
}

}  // namespace

void add_token_commands(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<TokenArgs>();
  auto* token = add_command(app, "token", "API tokens and their second factors");
  token->require_subcommand(1);
  add_create(*token, ctx, args);
  auto* list = add_command(*token, "list", "List tokens (never their secrets)",
                           "  ballast token list\n  ballast token list --all --output json\n");
  list->add_flag("--all", args->include_revoked, "Include revoked tokens");
  list->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return ctx.guard([&] {
        const std::string query = args->include_revoked ? "?include_revoked=true" : "";
        return call(
            ctx, [query](api::Client& c) { return c.get("/api/v1/tokens" + query); }, list_text);
      });
    };
  });
  auto* revoke = add_command(*token, "revoke", "Revoke a token at once",
                             "  ballast token revoke 3f9a0c1d2e4b --reason 'laptop lost'\n");
  revoke->add_option("id", args->id, "The token's id (from 'ballast token list')")->required();
  revoke->add_option("--reason", args->reason, "Why, for the audit trail");
  revoke->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return ctx.guard([&] {
        nlohmann::json body = nlohmann::json::object();
        if (!args->reason.empty()) body["reason"] = args->reason;
        return call(
            ctx, [args, body](api::Client& c) { return c.del("/api/v1/tokens/" + args->id, body); },
            [](const nlohmann::json& j) { return "Revoked: " + token_line(j["token"]); });
      });
    };
  });
  add_command(*token, "whoami", "Show the calling token's role, tenants and second factor",
              "  ballast token whoami\n")
      ->callback([&ctx] {
        ctx.run = [&ctx] {
          return ctx.guard([&] {
            return call(
                ctx, [](api::Client& c) { return c.get("/api/v1/self"); },
                [](const nlohmann::json& j) {
                  return fmt::format("{} ({}), second factor: {}", j.value("principal", ""),
                                     j.value("role", ""), j.value("second_factor", ""));
                });
          });
        };
      });
  add_totp_commands(*token, ctx, args);
}

}  // namespace ballast::cli
