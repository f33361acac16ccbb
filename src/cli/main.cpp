#include "cli/main.h"

#include <cstdlib>
#include <iostream>

#include "cli/context.h"

namespace ballast::cli {
namespace {

constexpr const char* kDescription = R"(Ballast — continuity-first hosting for Odoo.

Ballast runs many Odoo tenants on real PostgreSQL, Redis and HAProxy, on one host or rendered
for Kubernetes, and proves their continuity: backups that restore, point-in-time recovery,
measured RTO/RPO, isolation between customers and a tamper-evident audit trail.

Everything starts from a spec, ballast.yaml ('ballast init' writes a commented one). Offline
commands (init, validate, plan, spec, render) read it directly; commands that change what runs
talk to the daemon started by 'ballast up'.)";

constexpr const char* kFooter = R"(
Getting started:
  ballast init                      write a starter ballast.yaml
  ballast validate                  check it: every problem, with file:line:col
  ballast plan                      see what would be created or changed
  ballast up --detach               start the platform in the background
  ballast status                    see the daemon, components and tenants
  ballast down                      stop everything cleanly

Every command takes --output json. Exit codes: 0 ok, 1 failed, 2 bad input.
Each command has its own help: ballast <command> --help.)";

}  // namespace

int main(int argc, char** argv) {
  Context ctx;
  if (const char* env = std::getenv("BALLAST_SPEC"); env != nullptr && *env != '\0') {
    ctx.spec_file = env;
  }
  CLI::App app(kDescription, "ballast");
  app.footer(kFooter);
  app.set_version_flag("--version", std::string("ballast ") + BALLAST_VERSION_TEXT);
  app.require_subcommand(1);
  app.fallthrough();
  app.add_option("-f,--file", ctx.spec_file,
                 "The spec file (default ballast.yaml, or $BALLAST_SPEC)");
  app.add_option("--output", ctx.output, "Output format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_flag("-q,--quiet", ctx.quiet, "Print nothing on success (text output)");
  app.add_option("--totp", ctx.totp,
                 "A current TOTP code, for privileged actions (or $BALLAST_TOTP)");
  add_spec_commands(app, ctx);
  add_daemon_commands(app, ctx);
  add_tenant_commands(app, ctx);
  add_backup_commands(app, ctx);
  add_continuity_commands(app, ctx);
  add_environment_commands(app, ctx);
  add_mail_commands(app, ctx);
  add_audit_commands(app, ctx);
  add_token_commands(app, ctx);
  add_secret_commands(app, ctx);
  add_change_commands(app, ctx);
  add_kubernetes_commands(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    const core::Error error = core::Error(core::ErrorCode::kInvalidArgument, e.what())
                                  .with_hint("Run 'ballast --help' or 'ballast <command> --help'.");
    return ctx.fail(error);
  }
  if (!ctx.run) return ctx.fail(core::Error(core::ErrorCode::kInvalidArgument, "no command given"));
  try {
    return ctx.run();
  } catch (const std::exception& e) {
    return ctx.fail(core::make_error(core::ErrorCode::kInternal, "unexpected failure: {}", e.what())
                        .with_hint("This is a bug in Ballast; please report it with the command."));
  }
}

}  // namespace ballast::cli
