// `ballast apply` and `ballast tenant …`: changes made by the daemon through its API.
#include <fmt/format.h>

#include "cli/context.h"
#include "core/crypto.h"
#include "core/file.h"
#include "core/text.h"
#include "reconcile/apply.h"

namespace ballast::cli {
namespace {

struct TenantArgs {
  std::string name;
  std::string tier = "shared";
  std::string pool;
  std::string stack;
  std::string plan;
  std::vector<std::string> domains;
  std::string domain;
  std::string confirm;
  std::string reason;
  bool allow_delete = false;
};

std::string tenant_text(const nlohmann::json& t) {
  std::string out = fmt::format("{} ({}, {}) — {}\n", t.value("name", ""), t.value("tier", ""),
                                t.value("state", ""), t.value("outcome", "ok"));
  const std::string where = t.value("tier", "") == "dedicated" ? "stack " + t.value("stack", "")
                                                               : "pool " + t.value("pool", "");
  out += fmt::format("  {}, plan {}\n", where, t.value("plan", ""));
  out += "  domains: " + core::join(t["domains"].get<std::vector<std::string>>(), ", ") + "\n";
  if (t.contains("usage")) {
    const auto& u = t["usage"];
    out += fmt::format("  usage: database {} MiB of {} MiB, file store {} MiB of {} MiB{}\n",
                       u.value("db_bytes", 0ULL) >> 20, u.value("db_quota_bytes", 0ULL) >> 20,
                       u.value("filestore_bytes", 0ULL) >> 20,
                       u.value("filestore_quota_bytes", 0ULL) >> 20,
                       u.value("over_quota", false) ? "  [OVER QUOTA]" : "");
  }
  if (t.contains("drift") && !t["drift"].empty()) {
    out += "  drift: missing " + core::join(t["drift"].get<std::vector<std::string>>(), ", ") +
           " ('ballast apply' repairs it)\n";
  }
  return out;
}

core::Result<int> apply(Context& ctx, bool allow_delete) {
  BALLAST_ASSIGN_OR_RETURN(auto text, core::read_file(ctx.spec_file));
  const nlohmann::json body = {
      {"spec_yaml", text}, {"file", ctx.spec_file}, {"allow_delete", allow_delete}};
  BALLAST_ASSIGN_OR_RETURN(auto spec, ctx.load_spec());
  BALLAST_ASSIGN_OR_RETURN(auto client, ctx.client(spec));
  client.set_timeout_seconds(3600);
  auto answer = client.post("/api/v1/apply", body);
  if (!answer.has_value()) return std::move(answer).error();
  std::string out;
  for (const auto& r : (*answer)["results"]) {
    out += fmt::format("  {:<9} {}\n", r.value("outcome", ""), r.value("description", ""));
    if (r.contains("error")) out += "            " + r["error"].get<std::string>() + "\n";
  }
  if (out.empty()) out = "Nothing to do: the platform matches the spec.\n";
  ctx.emit(*answer, out);
  return answer->value("ok", false) ? core::kExitOk : core::kExitFailed;
}

std::string list_text(const nlohmann::json& j) {
  std::string out =
      fmt::format("{:<26} {:<10} {:<11} {:<18} {}\n", "NAME", "TIER", "STATE", "PLAN", "DOMAINS");
  for (const auto& t : j["tenants"]) {
    out += fmt::format("{:<26} {:<10} {:<11} {:<18} {}\n", t.value("name", ""), t.value("tier", ""),
                       t.value("state", ""), t.value("plan", ""),
                       core::join(t["domains"].get<std::vector<std::string>>(), ", "));
  }
  return out;
}

}  // namespace

void add_tenant_commands(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<TenantArgs>();
  auto* apply_cmd =
      add_command(app, "apply", "Make the platform match the spec (idempotent)",
                  "  ballast apply\n  ballast apply --allow-delete   # also remove tenants "
                  "that left the spec\n");
  apply_cmd->add_flag("--allow-delete", args->allow_delete,
                      "Apply guarded actions: delete tenants that left the spec");
  apply_cmd->callback([&ctx, args] {
    ctx.run = [&ctx, args] { return ctx.guard([&] { return apply(ctx, args->allow_delete); }); };
  });

  auto* tenant = add_command(app, "tenant", "Create, inspect and change tenants");
  tenant->require_subcommand(1);
  auto bind = [&ctx](CLI::App* cmd, std::function<core::Result<int>()> body) {
    cmd->callback([&ctx, body] { ctx.run = [&ctx, body] { return ctx.guard(body); }; });
  };
  auto* create = add_command(
      *tenant, "create", "Create a tenant (role, database, Redis user, file store, routes)",
      "  ballast tenant create acme --plan small --domain erp.acme.example\n"
      "  ballast tenant create lex --tier dedicated --stack lex --plan large\n");
  create->add_option("name", args->name, "Tenant name (a DNS label)")->required();
  create->add_option("--plan", args->plan, "Plan from the spec")->required();
  create->add_option("--tier", args->tier, "shared or dedicated")
      ->check(CLI::IsMember({"shared", "dedicated"}));
  create->add_option("--pool", args->pool, "Pool of a shared tenant (default: the only pool)");
  create->add_option("--stack", args->stack, "Stack of a dedicated tenant");
  create->add_option("--domain", args->domains,
                     "A hostname (repeatable); default <name>.<base_domain>");
  bind(create, [&ctx, args] {
    nlohmann::json body = {{"name", args->name}, {"plan", args->plan}, {"tier", args->tier}};
    if (!args->pool.empty()) body["pool"] = args->pool;
    if (!args->stack.empty()) body["stack"] = args->stack;
    if (!args->domains.empty()) body["domains"] = args->domains;
    return ctx.call("POST", "/api/v1/tenants", body, tenant_text);
  });
  bind(add_command(*tenant, "list", "List tenants", "  ballast tenant list --output json\n"),
       [&ctx] { return ctx.call("GET", "/api/v1/tenants", nullptr, list_text); });
  auto named = [&](const char* verb, const char* about, const char* example, const char* method,
                   const char* suffix) {
    auto* cmd = add_command(*tenant, verb, about, example);
    cmd->add_option("name", args->name, "Tenant name")->required();
    bind(cmd, [&ctx, args, method, suffix] {
      return ctx.call(method, "/api/v1/tenants/" + args->name + suffix, nullptr, tenant_text);
    });
    return cmd;
  };
  named("show", "Show a tenant: state, usage against its plan, drift, recent events",
        "  ballast tenant show acme\n", "GET", "");
  named("suspend", "Stop serving a tenant (503), keeping all its data",
        "  ballast tenant suspend acme\n", "POST", "/suspend");
  named("resume", "Serve a suspended tenant again", "  ballast tenant resume acme\n", "POST",
        "/resume");
  auto* set_plan = add_command(*tenant, "set-plan", "Give a tenant another plan",
                               "  ballast tenant set-plan acme business\n");
  set_plan->add_option("name", args->name, "Tenant name")->required();
  set_plan->add_option("plan", args->plan, "Plan from the spec")->required();
  bind(set_plan, [&ctx, args] {
    return ctx.call("PUT", "/api/v1/tenants/" + args->name + "/plan", {{"plan", args->plan}},
                    tenant_text);
  });
  auto* add_domain = add_command(*tenant, "add-domain", "Route another hostname to a tenant",
                                 "  ballast tenant add-domain acme erp.acme.example\n");
  add_domain->add_option("name", args->name, "Tenant name")->required();
  add_domain->add_option("domain", args->domain, "Hostname")->required();
  bind(add_domain, [&ctx, args] {
    return ctx.call("POST", "/api/v1/tenants/" + args->name + "/domains",
                    {{"domain", args->domain}}, tenant_text);
  });
  auto* remove_domain = add_command(*tenant, "remove-domain", "Stop routing a hostname to a tenant",
                                    "  ballast tenant remove-domain acme old.acme.example\n");
  remove_domain->add_option("name", args->name, "Tenant name")->required();
  remove_domain->add_option("domain", args->domain, "Hostname")->required();
  bind(remove_domain, [&ctx, args] {
    return ctx.call("DELETE", "/api/v1/tenants/" + args->name + "/domains/" + args->domain, nullptr,
                    tenant_text);
  });
  auto* del =
      add_command(*tenant, "delete",
                  "Delete a tenant: its database is dumped and its file store moved to the "
                  "trash (kept for platform.trash_retention), then removed",
                  "  ballast tenant delete acme --confirm acme --reason \"contract ended\"\n");
  del->add_option("name", args->name, "Tenant name")->required();
  del->add_option("--confirm", args->confirm, "Repeat the tenant's name to confirm");
  del->add_option("--reason", args->reason, "Why, for the audit trail");
  bind(del, [&ctx, args] {
    return ctx.call("DELETE", "/api/v1/tenants/" + args->name,
                    {{"confirm", args->confirm}, {"reason", args->reason}},
                    [](const nlohmann::json& j) {
                      return fmt::format(
                          "Deleted tenant '{}'. Its data is in the trash: {} (purged after {}).",
                          j.value("name", ""), j.value("trash", ""), j.value("purged_after", ""));
                    });
  });
}

}  // namespace ballast::cli

namespace ballast::cli {

void add_environment_commands(CLI::App& app, Context& ctx) {
  struct Args {
    std::string tenant;
    std::string from = "production";
    std::string as = "staging";
    std::string name;
    std::vector<std::string> domains;
  };
  auto args = std::make_shared<Args>();
  auto* env = add_command(app, "env", "Staging and development copies of tenants");
  env->require_subcommand(1);
  auto* create = add_command(
      *env, "create",
      "Copy a production tenant (database and file store) into a neutralized environment: no mail "
      "leaves it (it goes to the platform's catcher), scheduled actions are off",
      "  ballast env create acme --from production --as staging\n"
      "  ballast env create acme --as development --name dev --domain dev.acme.example\n");
  create->add_option("tenant", args->tenant, "The production tenant")->required();
  create->add_option("--from", args->from, "What to copy: production")
      ->check(CLI::IsMember({"production"}));
  create->add_option("--as", args->as, "staging or development")
      ->check(CLI::IsMember({"staging", "development", "dev"}));
  create->add_option("--name", args->name,
                     "Name of the copy (default: its kind); it becomes <tenant>-<name>");
  create->add_option("--domain", args->domains, "Hostname of the copy (repeatable)");
  create->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return ctx.guard([&]() -> core::Result<int> {
        const std::string kind = args->as == "dev" ? "development" : args->as;
        nlohmann::json body = {
            {"kind", kind},
            {"name",
             args->name.empty() ? (args->as == "development" ? "dev" : args->as) : args->name}};
        if (!args->domains.empty()) body["domains"] = args->domains;
        BALLAST_ASSIGN_OR_RETURN(auto spec, ctx.load_spec());
        BALLAST_ASSIGN_OR_RETURN(auto client, ctx.client(spec));
        client.set_timeout_seconds(3600);
        BALLAST_ASSIGN_OR_RETURN(
            auto answer, client.post("/api/v1/tenants/" + args->tenant + "/environments", body));
        return ctx.emit(
            answer,
            fmt::format("Created {} copy '{}' of '{}'{}, served at {}.", kind,
                        answer.value("name", ""), args->tenant,
                        answer.value("neutralized", false) ? " (neutralized and verified)" : "",
                        answer["domains"].empty() ? "" : answer["domains"][0].get<std::string>()));
      });
    };
  });
}

}  // namespace ballast::cli
