// The offline commands, driven as a user would: help, validate, init, plan, explain, bad input.
#include <cstdlib>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness/harness.h"

namespace ballast::testing {
namespace {

TEST(Cli, HelpReadsLikeAManual) {
  TempDir dir;
  auto help = run_ballast({"--help"}, dir.path());
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Getting started:"), std::string::npos);
  EXPECT_NE(help.out.find("ballast up --detach"), std::string::npos);
  auto up_help = run_ballast({"up", "--help"}, dir.path());
  EXPECT_NE(up_help.out.find("Examples:"), std::string::npos);
  auto version = run_ballast({"--version"}, dir.path());
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("ballast ", 0), 0U);
}

TEST(Cli, UnknownCommandIsBadInput) {
  TempDir dir;
  auto r = run_ballast({"frobnicate"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("error: "), std::string::npos);
  EXPECT_NE(r.err.find("hint: Run 'ballast --help'"), std::string::npos);
}

TEST(Cli, ValidatesBothExamples) {
  for (const char* name : {"minimal.yaml", "consulting-firm.yaml"}) {
    auto r = run_ballast({"validate", "-f", name, "--output", "json"}, source_dir() / "examples");
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    auto json = nlohmann::json::parse(r.out);
    EXPECT_TRUE(json["valid"].get<bool>());
  }
}

// Certificates supplied in the spec are read and checked by validate: a self-signed one from
// the openssl command for www only, while the tenant also has erp; then one expiring soon.
TEST(Cli, ValidateChecksSuppliedCertificates) {
  TempDir dir;
  auto make_certificate = [&](const std::string& days, const std::string& names) {
    const std::string command =
        "cd '" + dir.path().string() +
        "' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "
        "acme.key -out acme.crt -days " +
        days + " -subj /CN=www.acme.test -addext subjectAltName=" + names + " 2>/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0);
  };
  make_certificate("90", "DNS:www.acme.test");
  write_text(dir / "ballast.yaml", R"(platform:
  name: p
  ingress: {base_domain: example.test, https: "127.0.0.1:8443"}
plans: [{name: small}]
pools: [{name: main}]
tenants:
  - name: acme
    pool: main
    plan: small
    domains: [erp.acme.test, www.acme.test]
    tls: {certificate: acme.crt, key: acme.key}
)");
  auto refused = run_ballast({"validate"}, dir.path());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("ballast.yaml:11:24: tenants[0].tls.certificate: tenant 'acme': "
                             "certificate 'acme.crt' does not cover domain 'erp.acme.test' (it "
                             "names 'www.acme.test')"),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(refused.err.find("PRIVATE KEY"), std::string::npos);

  make_certificate("5", "DNS:*.acme.test");
  auto soon = run_ballast({"validate", "--output", "json"}, dir.path());
  ASSERT_EQ(soon.exit_code, 0) << soon.err;
  auto json = nlohmann::json::parse(soon.out);
  ASSERT_EQ(json["warnings"].size(), 1U);
  EXPECT_NE(json["warnings"][0].get<std::string>().find(
                "tenant 'acme': certificate 'acme.crt' expires on "),
            std::string::npos);
}

TEST(Cli, InitWritesASpecThatValidatesAndPlans) {
  TempDir dir;
  ASSERT_EQ(run_ballast({"init"}, dir.path()).exit_code, 0);
  auto again = run_ballast({"init"}, dir.path());
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos);
  EXPECT_EQ(run_ballast({"validate"}, dir.path()).exit_code, 0);
  auto plan = run_ballast({"plan", "--output", "json"}, dir.path());
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  auto json = nlohmann::json::parse(plan.out);
  ASSERT_EQ(json["actions"].size(), 3U);  // the pool, the tenant, its staging copy
  EXPECT_EQ(json["actions"][0]["kind"], "create_pool");
  EXPECT_EQ(json["actions"][1]["kind"], "create_tenant");
  EXPECT_EQ(json["actions"][2]["kind"], "create_environment");
  EXPECT_FALSE(fs::exists(dir / "state")) << "plan must not create state";
}

TEST(Cli, ExplainsKeys) {
  TempDir dir;
  auto r = run_ballast({"spec", "explain", "tenants.continuity.billing.rpo"}, dir.path());
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("default: 1h"), std::string::npos);
  auto bad = run_ballast({"spec", "explain", "tenant"}, dir.path());
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("did you mean 'tenants'?"), std::string::npos);
}

TEST(Cli, ErrorDocsMatchTheErrorTable) {
  TempDir dir;
  auto r = run_ballast({"docs", "errors"}, dir.path());
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, read_text(source_dir() / "docs" / "errors.md"))
      << "docs/errors.md is stale: regenerate it with 'ballast docs errors > docs/errors.md'";
}

struct BadFile {
  const char* name;
  std::string content;
  const char* expected;
};

TEST(Cli, RefusesBadSpecFilesClearly) {
  TempDir dir;
  const std::vector<BadFile> cases = {
      {"empty.yaml", "", "error: empty.yaml: the spec is empty\n"},
      {"binary.yaml",
       std::string("\x7f"
                   "ELF\x02\x01\x01\0\0\0",
                   10),
       "error: binary.yaml: this is not a text file (binary data at byte 4)\n"},
      {"broken.yaml", "platform:\n  name: [unclosed\n",
       "error: broken.yaml:3:1: invalid YAML: end of sequence flow not found\n"},
      {"deep.yaml", "platform: " + std::string(10000, '['),
       "error: deep.yaml:1:1: the YAML is nested too deeply\n"},
      {"huge.yaml", "# " + std::string(50 * 1024 * 1024, 'x') + "\n",
       "error: huge.yaml: the spec is larger than the limit of 4 MiB\n"},
  };
  for (const auto& c : cases) {
    write_text(dir / c.name, c.content);
    auto r = run_ballast({"validate", "-f", c.name}, dir.path());
    EXPECT_EQ(r.exit_code, 2) << c.name;
    const auto first_line = r.err.substr(0, r.err.find('\n') + 1);
    EXPECT_EQ(first_line, c.expected) << c.name;
    EXPECT_NE(r.err.find("hint: "), std::string::npos) << c.name;
  }
  auto missing = run_ballast({"validate", "-f", "nope.yaml"}, dir.path());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err,
            "error: spec file 'nope.yaml' does not exist\nhint: Run 'ballast init' to write a "
            "starter spec, or pass one with -f FILE.\n");
}

TEST(Cli, JsonErrorsAreParseable) {
  TempDir dir;
  write_text(dir / "bad.yaml", "platform: {name: x}\ncolour: blue\n");
  auto r = run_ballast({"validate", "-f", "bad.yaml", "--output", "json"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json["error"]["code"], "spec_invalid");
  EXPECT_NE(json["error"]["message"].get<std::string>().find("unknown key 'colour'"),
            std::string::npos);
}

}  // namespace
}  // namespace ballast::testing
