// A tenant-admin of one tenant, against a daemon hosting two real tenants (PostgreSQL, Redis,
// HAProxy): it sees and operates its own tenant only; every attempt on the other is refused
// (403, or filtered out of listings), the attempts at changes are audited, and the other
// tenant is left exactly as it was. And the same daemon catching a copy's mail.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "core/subprocess.h"
#include "core/text.h"
#include "harness/harness.h"

namespace ballast::testing {
namespace {

using Json = nlohmann::json;

class TenantScopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_port_ = free_port();
    write_text(dir_ / "ballast.yaml", fmt::format(R"(platform:
  name: scope
  state_dir: state
  ingress: {{base_domain: scope.test, http: "127.0.0.1:{}"}}
  api: "127.0.0.1:{}"
  odoo: {{source: "{}"}}
plans: [{{name: small}}, {{name: large, workers: 2}}]
pools: [{{name: main}}]
tenants: [{{name: alpha, pool: main, plan: small}}, {{name: beta, pool: main, plan: small}}]
)",
                                                  free_port(), api_port_, odoo_source().string()));
    auto up = run_ballast({"up", "--detach"}, dir_.path());
    ASSERT_EQ(up.exit_code, 0) << up.err;
    admin_ = std::string(core::trim(read_text(dir_ / "state" / "api.token")));
  }
  void TearDown() override { run_ballast({"down"}, dir_.path()); }

  std::pair<int, Json> call(const std::string& method, const std::string& path,
                            const std::string& token, const Json& body = nullptr) {
    httplib::Client client("127.0.0.1", api_port_);
    client.set_read_timeout(120, 0);
    const httplib::Headers headers{{"Authorization", "Bearer " + token}};
    const std::string payload = body.is_null() ? "" : body.dump();
    auto r = method == "GET"    ? client.Get(path, headers)
             : method == "POST" ? client.Post(path, headers, payload, "application/json")
             : method == "PUT"  ? client.Put(path, headers, payload, "application/json")
                                : client.Delete(path, headers, payload, "application/json");
    if (!r) return {-1, nullptr};
    return {r->status, Json::parse(r->body, nullptr, false)};
  }

  TempDir dir_;
  std::uint16_t api_port_ = 0;
  std::string admin_;
};

TEST_F(TenantScopeTest, ATenantAdminOfAlphaCannotSeeOrActOnBeta) {
  auto [made_status, made] =
      call("POST", "/api/v1/tokens", admin_,
           {{"name", "alpha-it"}, {"role", "tenant-admin"}, {"tenants", {"alpha"}}});
  ASSERT_EQ(made_status, 201) << made.dump();
  const std::string alpha = made["secret"];
  const std::string actor = "token:" + made["token"]["id"].get<std::string>();
  const Json beta_before = call("GET", "/api/v1/tenants/beta", admin_).second;

  auto [list_status, list] = call("GET", "/api/v1/tenants", alpha);
  ASSERT_EQ(list_status, 200);
  ASSERT_EQ(list["tenants"].size(), 1U) << list.dump();
  EXPECT_EQ(list["tenants"][0]["name"], "alpha");
  EXPECT_EQ(call("GET", "/api/v1/tenants/alpha", alpha).first, 200);
  auto cli =
      run_ballast({"tenant", "list", "--output", "json"}, dir_.path(), {{"BALLAST_TOKEN", alpha}});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(Json::parse(cli.out)["tenants"].size(), 1U);

  const std::vector<std::tuple<std::string, std::string, Json>> attempts = {
      {"GET", "/api/v1/tenants/beta", nullptr},
      {"GET", "/api/v1/tenants/beta/backups", nullptr},
      {"GET", "/api/v1/status", nullptr},
      {"GET", "/api/v1/audit", nullptr},
      {"GET", "/api/v1/events", nullptr},
      {"POST", "/api/v1/tenants/beta/suspend", nullptr},
      {"PUT", "/api/v1/tenants/beta/plan", Json{{"plan", "large"}}},
      {"POST", "/api/v1/tenants/beta/domains", Json{{"domain", "stolen.example"}}},
      {"POST", "/api/v1/tenants/beta/backups", Json::object()},
      {"DELETE", "/api/v1/tenants/beta", Json{{"confirm", "beta"}}},
      {"DELETE", "/api/v1/tenants/alpha", Json{{"confirm", "alpha"}}},
      {"POST", "/api/v1/tenants", Json{{"name", "gamma"}, {"plan", "small"}}},
      {"POST", "/api/v1/tokens", Json{{"name", "x"}, {"role", "operator"}}}};
  for (const auto& [method, path, body] : attempts) {
    auto [status, answer] = call(method, path, alpha, body);
    EXPECT_EQ(status, 403) << method << " " << path << " " << answer.dump();
    EXPECT_EQ(answer["error"]["code"], "permission_denied") << path;
  }
  auto bad_cli =
      run_ballast({"tenant", "suspend", "beta"}, dir_.path(), {{"BALLAST_TOKEN", alpha}});
  EXPECT_EQ(bad_cli.exit_code, 1);
  EXPECT_NE(bad_cli.err.find("tenant 'beta' is outside this token's scope"), std::string::npos)
      << bad_cli.err;

  // Its own tenant it may operate.
  EXPECT_EQ(call("PUT", "/api/v1/tenants/alpha/plan", alpha, {{"plan", "large"}}).first, 200);
  EXPECT_EQ(call("GET", "/api/v1/tenants/alpha", admin_).second["plan"], "large");

  EXPECT_EQ(call("GET", "/api/v1/tenants/beta", admin_).second["plan"], beta_before["plan"]);
  EXPECT_EQ(call("GET", "/api/v1/tenants/beta", admin_).second["state"], beta_before["state"]);
  const Json audit = call("GET", "/api/v1/audit", admin_).second["entries"];
  int refusals = 0;
  for (const auto& row : audit) {
    if (row["actor"] == actor && row["outcome"] == "permission_denied") ++refusals;
  }
  EXPECT_EQ(refusals, 9);  // the changes above (not the reads), and the CLI's suspend
}

// The mail a copy sends is caught by the daemon and read with the CLI; production's is not.
TEST_F(TenantScopeTest, ACopysMailIsCaughtByTheDaemonAndReadWithTheCli) {
  auto copied = run_ballast({"env", "create", "alpha", "--as", "staging"}, dir_.path());
  ASSERT_EQ(copied.exit_code, 0) << copied.err << copied.out;
  auto empty = run_ballast({"mail", "list", "alpha-staging", "--output", "json"}, dir_.path());
  ASSERT_EQ(empty.exit_code, 0) << empty.err << empty.out;
  const Json before = Json::parse(empty.out);
  EXPECT_TRUE(before["catching"].get<bool>());
  EXPECT_TRUE(before["messages"].empty());
  const std::string catcher = before["catcher"];  // 127.0.0.1:<port>
  const auto port = catcher.substr(catcher.find(':') + 1);

  // What the copy's Odoo does: SMTP to its mail server, which neutralization pointed here.
  const std::string script = R"(
import smtplib, sys
from email.message import EmailMessage
m = EmailMessage()
m["From"], m["To"], m["Subject"] = "billing@alpha.example", "client@example.com", "Your invoice"
m.set_content("Invoice INV/2026/0001 is attached.")
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10) as s:
    s.send_message(m)
)";
  auto sent = core::run_checked(core::Command{.argv = {"python3", "-c", script, port}},
                                std::chrono::seconds(30));
  ASSERT_TRUE(sent.has_value()) << sent.error().to_string();

  auto listed = run_ballast({"mail", "list", "alpha-staging"}, dir_.path());
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("Your invoice"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("client@example.com"), std::string::npos) << listed.out;
  const Json after = Json::parse(
      run_ballast({"mail", "list", "alpha-staging", "--output", "json"}, dir_.path()).out);
  ASSERT_EQ(after["messages"].size(), 1U);
  const auto id = std::to_string(after["messages"][0]["id"].get<int>());
  auto raw = run_ballast({"mail", "show", "alpha-staging", id, "--raw"}, dir_.path());
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  EXPECT_NE(raw.out.find("Subject: Your invoice"), std::string::npos) << raw.out;
  EXPECT_NE(raw.out.find("Invoice INV/2026/0001 is attached."), std::string::npos) << raw.out;

  // alpha's tenant-admin reaches its copy and the copy's mail; beta's does not.
  const auto token_for = [&](const std::string& tenant) {
    auto [status, made] =
        call("POST", "/api/v1/tokens", admin_,
             {{"name", tenant + "-it"}, {"role", "tenant-admin"}, {"tenants", {tenant}}});
    EXPECT_EQ(status, 201) << made.dump();
    return made.value("secret", "");
  };
  const std::string alpha = token_for("alpha");
  const std::string beta = token_for("beta");
  auto own_list = call("GET", "/api/v1/tenants", alpha).second["tenants"];
  std::vector<std::string> names;
  for (const auto& t : own_list) names.push_back(t["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"alpha", "alpha-staging"})) << own_list.dump();
  auto scoped =
      run_ballast({"mail", "list", "alpha-staging"}, dir_.path(), {{"BALLAST_TOKEN", alpha}});
  EXPECT_EQ(scoped.exit_code, 0) << scoped.err;
  EXPECT_NE(scoped.out.find("Your invoice"), std::string::npos) << scoped.out;
  auto other = call("GET", "/api/v1/tenants/alpha-staging/mail", beta);
  EXPECT_EQ(other.first, 403) << other.second.dump();

  auto production = run_ballast({"mail", "list", "alpha"}, dir_.path());
  EXPECT_EQ(production.exit_code, 1);
  EXPECT_NE(production.err.find("is production: its mail is delivered, not caught"),
            std::string::npos)
      << production.err;
  EXPECT_NE(production.err.find("'ballast mail list alpha-staging'"), std::string::npos)
      << "the hint names the copies whose mail is caught: " << production.err;
  auto unconfirmed = run_ballast({"mail", "clear", "alpha-staging"}, dir_.path());
  EXPECT_EQ(unconfirmed.exit_code, 2) << unconfirmed.err;
  auto cleared =
      run_ballast({"mail", "clear", "alpha-staging", "--confirm", "alpha-staging"}, dir_.path());
  EXPECT_EQ(cleared.exit_code, 0) << cleared.err;
  EXPECT_NE(cleared.out.find("Forgot 1 messages"), std::string::npos) << cleared.out;
}

}  // namespace
}  // namespace ballast::testing
