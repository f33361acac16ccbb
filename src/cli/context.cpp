#include "cli/context.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "core/file.h"
#include "core/text.h"
#include "spec/loader.h"

namespace ballast::cli {

int Context::emit(const nlohmann::json& json, const std::string& text) const {
  if (mode() == OutputMode::kJson) {
    std::cout << json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else if (!quiet && !text.empty()) {
    std::cout << text;
    if (text.back() != '\n') std::cout << "\n";
  }
  std::cout.flush();
  return core::kExitOk;
}

int Context::fail(const core::Error& error) const {
  if (error.code() == core::ErrorCode::kApprovalPending && mode() == OutputMode::kText) {
    std::cout << "Not done yet: " << error.message() << "\n" << error.hint() << "\n";
    std::cout.flush();
    return error.exit_code();
  }
  if (mode() == OutputMode::kJson) {
    nlohmann::json body = {{"code", error.code_name()}, {"message", error.to_string()}};
    if (!error.hint().empty()) body["hint"] = error.hint();
    std::cout << nlohmann::json{{"error", body}}.dump(2) << "\n";
  } else {
    for (const auto& line : core::split(error.to_string(), '\n')) {
      std::cerr << "error: " << line << "\n";
    }
    if (!error.hint().empty()) std::cerr << "hint: " << error.hint() << "\n";
  }
  return error.exit_code();
}

int Context::guard(const std::function<core::Result<int>()>& body) const {
  auto result = body();
  if (!result.has_value()) return fail(result.error());
  return *result;
}

core::Result<spec::Spec> Context::load_spec() const { return spec::load(spec_file); }

core::Result<core::Secret> read_token(const std::filesystem::path& state_dir) {
  auto token = core::read_file(state_dir / "api.token", 4096);
  if (!token.has_value()) {
    if (token.error().code() == core::ErrorCode::kNotFound) {
      return core::make_error(core::ErrorCode::kUnavailable,
                              "no daemon has run on state directory '{}' (no api.token)",
                              state_dir.string())
          .with_hint("Start it with 'ballast up --detach'.");
    }
    return std::move(token).error();
  }
  return core::Secret(std::string(core::trim(*token)));
}

core::Result<int> Context::call(
    const std::string& method, const std::string& path, const nlohmann::json& body,
    const std::function<std::string(const nlohmann::json&)>& text) const {
  BALLAST_ASSIGN_OR_RETURN(auto spec, load_spec());
  BALLAST_ASSIGN_OR_RETURN(auto client, this->client(spec));
  client.set_timeout_seconds(1800);
  core::Result<nlohmann::json> answer = method == "GET"    ? client.get(path)
                                        : method == "POST" ? client.post(path, body)
                                        : method == "PUT"  ? client.put(path, body)
                                                           : client.del(path, body);
  if (!answer.has_value()) return std::move(answer).error();
  return emit(*answer, text(*answer));
}

core::Result<api::Client> Context::client(const spec::Spec& spec) const {
  const char* presented = std::getenv("BALLAST_TOKEN");
  core::Secret token;
  if (presented != nullptr && *presented != '\0') {
    token = core::Secret(std::string(core::trim(presented)));
  } else {
    BALLAST_ASSIGN_OR_RETURN(token, read_token(spec.state_dir()));
  }
  api::Client client(spec.platform.api, std::move(token));
  if (spec.platform.api_tls) client.set_ca_file(spec.state_dir() / "ca" / "ca.crt");
  const char* code = std::getenv("BALLAST_TOTP");
  if (!totp.empty()) {
    client.set_second_factor(totp);
  } else if (code != nullptr && *code != '\0') {
    client.set_second_factor(code);
  }
  return client;
}

CLI::App* add_command(CLI::App& parent, const std::string& name, const std::string& description,
                      const std::string& examples) {
  CLI::App* command = parent.add_subcommand(name, description);
  if (!examples.empty()) command->footer("\nExamples:\n" + examples);
  return command;
}

}  // namespace ballast::cli
