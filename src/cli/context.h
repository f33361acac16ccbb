// What every command shares: global options, output in text or JSON, errors, the spec.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "api/client.h"
#include "app/platform.h"
#include "core/clock.h"
#include "spec/model.h"

namespace ballast::cli {

enum class OutputMode { kText, kJson };

class Context final {
 public:
  std::string spec_file = "ballast.yaml";
  std::string output = "text";
  std::string totp;  // --totp or $BALLAST_TOTP: a TOTP code for privileged actions
  bool quiet = false;
  // The command chosen by the parser; run after parsing completes.
  std::function<int()> run;

  [[nodiscard]] OutputMode mode() const {
    return output == "json" ? OutputMode::kJson : OutputMode::kText;
  }
  // Prints `json` (JSON mode) or `text` (text mode) to stdout; returns 0.
  int emit(const nlohmann::json& json, const std::string& text) const;
  // Prints an error (and its hint) and returns its exit code.
  int fail(const core::Error& error) const;
  // Runs `body`; an Error it returns is printed and becomes the exit code.
  int guard(const std::function<core::Result<int>()>& body) const;

  core::Result<spec::Spec> load_spec() const;
  // The API client for the daemon of the spec's state directory: the token from $BALLAST_TOKEN
  // or the state directory's api.token; the TOTP code from --totp or $BALLAST_TOTP.
  core::Result<api::Client> client(const spec::Spec& spec) const;
  // GET, POST, PUT or DELETE `path` on the daemon, then emit() the answer with `text` of it.
  core::Result<int> call(const std::string& method, const std::string& path,
                         const nlohmann::json& body,
                         const std::function<std::string(const nlohmann::json&)>& text) const;

  const core::SystemClock clock;
};

// Registers `name` under `parent` with a one-line description and a footer of examples.
CLI::App* add_command(CLI::App& parent, const std::string& name, const std::string& description,
                      const std::string& examples = "");

void add_spec_commands(CLI::App& app, Context& ctx);
void add_daemon_commands(CLI::App& app, Context& ctx);
void add_audit_commands(CLI::App& app, Context& ctx);
void add_token_commands(CLI::App& app, Context& ctx);
void add_secret_commands(CLI::App& app, Context& ctx);
void add_change_commands(CLI::App& app, Context& ctx);
void add_kubernetes_commands(CLI::App& app, Context& ctx);
// `render alerts` and `render dashboard`, under the `render` command of add_kubernetes_commands.
void add_monitor_render_commands(CLI::App& render_cmd, Context& ctx);
void add_tenant_commands(CLI::App& app, Context& ctx);
void add_backup_commands(CLI::App& app, Context& ctx);
void add_environment_commands(CLI::App& app, Context& ctx);
void add_mail_commands(CLI::App& app, Context& ctx);
void add_continuity_commands(CLI::App& app, Context& ctx);

// Reads a secret file written 0600 in the state directory.
core::Result<core::Secret> read_token(const std::filesystem::path& state_dir);

}  // namespace ballast::cli
