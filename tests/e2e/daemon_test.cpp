// The daemon as a user runs it: up, status, the API, down; one daemon per state directory;
// kill -9 at any moment leaves a catalog that passes integrity checks and an intact audit chain.
#include <csignal>
#include <cstdlib>
#include <random>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "catalog/catalog.h"
#include "core/clock.h"
#include "core/subprocess.h"
#include "harness/harness.h"
#include "security/totp.h"

namespace ballast::testing {
namespace {

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_port_ = free_port();
    http_port_ = free_port();
    write_spec("[{name: acme, pool: main, plan: small}]");
  }
  void write_spec(const std::string& tenants) {
    write_text(dir_ / "ballast.yaml", fmt::format(R"(platform:
  name: e2e
  state_dir: state
  ingress: {{base_domain: e2e.test, http: "127.0.0.1:{}"}}
  api: "127.0.0.1:{}"{}
plans: [{{name: small}}, {{name: large, workers: 2}}]
pools: [{{name: main}}]
tenants: {}
)",
                                                  http_port_, api_port_, api_extra_, tenants));
  }
  // What a routed tenant answers at "/": the proxy's "not deployed" page (503) without an app
  // tier, Odoo's redirect to /odoo (303) when BALLAST_ODOO_SRC gives the daemon an Odoo.
  static int routed_status() {
    const char* odoo = std::getenv("BALLAST_ODOO_SRC");
    return odoo != nullptr && *odoo != '\0' ? 303 : 503;
  }
  int page_status(const std::string& host) {
    httplib::Client client("127.0.0.1", http_port_);
    auto r = client.Get("/", httplib::Headers{{"Host", host}});
    return r ? r->status : -1;
  }
  void TearDown() override { run_ballast({"down"}, dir_.path()); }

  httplib::Result get(const std::string& path, const std::string& token = "") {
    httplib::Client client("127.0.0.1", api_port_);
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return client.Get(path, headers);
  }

  // Enrols and confirms a TOTP factor for the CLI's token; two codes for later steps, each
  // newer than the last one used.
  std::vector<std::string> enrol_second_factor() {
    auto enrolled = run_ballast({"token", "totp", "enroll", "--output", "json"}, dir_.path());
    EXPECT_EQ(enrolled.exit_code, 0) << enrolled.err;
    const auto secret = security::totp::from_base32(
        nlohmann::json::parse(enrolled.out)["secret"].get<std::string>());
    if (!secret.has_value()) return {};
    const auto now = std::chrono::system_clock::now();
    const auto into_step = core::unix_seconds(now) % security::totp::kStepSeconds;
    if (into_step > 25) std::this_thread::sleep_for(std::chrono::seconds(31 - into_step));
    const auto base = std::chrono::system_clock::now();
    std::vector<std::string> codes;
    for (int step = -1; step <= 1; ++step) {
      codes.push_back(
          security::totp::code_at(*secret, base + std::chrono::seconds(30 * step)).value());
    }
    auto confirmed = run_ballast({"token", "totp", "confirm", codes[0]}, dir_.path());
    EXPECT_EQ(confirmed.exit_code, 0) << confirmed.err;
    return {codes[1], codes[2]};
  }

  TempDir dir_;
  std::uint16_t api_port_ = 0;
  std::uint16_t http_port_ = 0;
  std::string api_extra_;  // more platform keys after `api:`
};

TEST_F(DaemonTest, ApiOverTlsTrustingTheLocalCa) {
  api_extra_ = "\n  api_tls: true";
  write_spec("[{name: acme, pool: main, plan: small}]");
  auto up = run_ballast({"up", "--detach"}, dir_.path());
  ASSERT_EQ(up.exit_code, 0) << up.err;
  // The CLI verifies the daemon's certificate against <state>/ca/ca.crt.
  auto status = run_ballast({"status", "--output", "json"}, dir_.path());
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(nlohmann::json::parse(status.out)["daemon"], "running");
  const std::string ca = (dir_ / "state" / "ca" / "ca.crt").string();
  const std::string url = "https://127.0.0.1:" + std::to_string(api_port_) + "/healthz";
  core::Command verified{
      .argv = {"curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", ca, url}};
  auto answer = core::run(verified, std::chrono::seconds(30));
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->out, "200") << answer->err;
  // Without the CA the certificate is not trusted; plain HTTP gets no answer.
  core::Command untrusted{.argv = {"curl", "-sS", "-o", "/dev/null", "--cacert", "/dev/null", url}};
  EXPECT_FALSE(core::run(untrusted, std::chrono::seconds(30))->status.is_success());
  auto plain = get("/healthz");
  EXPECT_TRUE(!plain || plain->status >= 400);
  EXPECT_EQ(run_ballast({"down"}, dir_.path()).exit_code, 0);
}

TEST_F(DaemonTest, UpStatusApiDown) {
  auto up = run_ballast({"up", "--detach"}, dir_.path());
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_NE(up.out.find("Ballast is running in the background."), std::string::npos);

  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "state" / "api.token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  const std::string token = read_text(dir_ / "state" / "api.token");

  auto status = run_ballast({"status", "--output", "json"}, dir_.path());
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto json = nlohmann::json::parse(status.out);
  EXPECT_EQ(json["daemon"], "running");
  EXPECT_EQ(json["platform"], "e2e");

  auto health = get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto anonymous = get("/api/v1/status");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(nlohmann::json::parse(anonymous->body)["error"]["code"], "unauthenticated");
  auto wrong = get("/api/v1/status", "not-the-token");
  EXPECT_EQ(wrong->status, 401);
  auto authorized = get("/api/v1/status", token.substr(0, token.size() - 1));
  EXPECT_EQ(authorized->status, 200);
  auto openapi = get("/api/v1/openapi.json");
  ASSERT_TRUE(openapi);
  auto doc = nlohmann::json::parse(openapi->body);
  EXPECT_EQ(doc["openapi"], "3.0.3");
  EXPECT_EQ(doc["paths"]["/api/v1/status"]["get"]["x-permission"], "read");
  EXPECT_EQ(get("/api/v1/nothing", token.substr(0, token.size() - 1))->status, 404);

  auto second = run_ballast({"up"}, dir_.path());
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("a Ballast daemon already runs on state directory"), std::string::npos)
      << second.err;

  auto down = run_ballast({"down"}, dir_.path());
  EXPECT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(run_ballast({"status"}, dir_.path()).exit_code, 1);
  auto verify = run_ballast({"audit", "verify"}, dir_.path());
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("The audit chain is intact"), std::string::npos) << verify.out;
  auto audit =
      nlohmann::json::parse(run_ballast({"audit", "list", "--output", "json"}, dir_.path()).out);
  std::vector<std::string> actions;
  for (const auto& e : audit["entries"]) actions.push_back(e["action"]);
  // The bootstrap token is issued first; `down` without --totp signals the daemon's pid (the
  // API's shutdown is privileged), so there is no daemon.shutdown row.
  const std::vector<std::string> expected = {"token.create", "daemon.start", "apply.create_pool",
                                             "apply.create_tenant", "daemon.stop"};
  EXPECT_EQ(actions, expected);
}

TEST_F(DaemonTest, TenantsThroughTheCliAndApply) {
  ASSERT_EQ(run_ballast({"up", "--detach"}, dir_.path()).exit_code, 0);
  EXPECT_EQ(page_status("acme.e2e.test"), routed_status());
  EXPECT_EQ(page_status("nobody.e2e.test"), 404);

  auto created = run_ballast({"tenant", "create", "extra", "--plan", "small", "--domain",
                              "erp.extra.test", "--output", "json"},
                             dir_.path());
  ASSERT_EQ(created.exit_code, 0) << created.err << created.out;
  EXPECT_EQ(nlohmann::json::parse(created.out)["outcome"], "created");
  EXPECT_EQ(page_status("erp.extra.test"), routed_status());
  auto listed =
      nlohmann::json::parse(run_ballast({"tenant", "list", "--output", "json"}, dir_.path()).out);
  EXPECT_EQ(listed["tenants"].size(), 2U);
  auto shown = run_ballast({"tenant", "show", "extra"}, dir_.path());
  EXPECT_NE(shown.out.find("erp.extra.test"), std::string::npos) << shown.out;
  auto missing = run_ballast({"tenant", "show", "nobody"}, dir_.path());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("tenant 'nobody' does not exist"), std::string::npos);
  auto bad = run_ballast({"tenant", "create", "Bad_Name", "--plan", "small"}, dir_.path());
  EXPECT_EQ(bad.exit_code, 2) << bad.err;

  ASSERT_EQ(run_ballast({"tenant", "suspend", "extra"}, dir_.path()).exit_code, 0);
  EXPECT_EQ(page_status("erp.extra.test"), 503);
  ASSERT_EQ(run_ballast({"tenant", "set-plan", "extra", "large"}, dir_.path()).exit_code, 0);
  // Deleting is privileged: the token holder needs a second factor, and a fresh code each time;
  // the code is checked before the request reaches the tenant service.
  auto without_totp = run_ballast(
      {"tenant", "delete", "extra", "--confirm", "extra", "--reason", "test"}, dir_.path());
  EXPECT_EQ(without_totp.exit_code, 1);
  EXPECT_NE(without_totp.err.find("TOTP"), std::string::npos) << without_totp.err;
  const auto codes = enrol_second_factor();
  ASSERT_EQ(codes.size(), 2U);
  auto unconfirmed = run_ballast({"tenant", "delete", "extra", "--totp", codes[0]}, dir_.path());
  EXPECT_EQ(unconfirmed.exit_code, 2);
  EXPECT_NE(unconfirmed.err.find("needs confirmation"), std::string::npos) << unconfirmed.err;
  auto deleted = run_ballast(
      {"tenant", "delete", "extra", "--confirm", "extra", "--reason", "test", "--totp", codes[1]},
      dir_.path());
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(page_status("erp.extra.test"), 404);

  write_spec("[{name: acme, pool: main, plan: small}, {name: beta, pool: main, plan: large}]");
  auto plan = run_ballast({"plan"}, dir_.path());
  EXPECT_NE(plan.out.find("create tenant 'beta'"), std::string::npos) << plan.out;
  auto applied = run_ballast({"apply"}, dir_.path());
  EXPECT_EQ(applied.exit_code, 0) << applied.err << applied.out;
  EXPECT_NE(applied.out.find("created"), std::string::npos);
  EXPECT_EQ(page_status("beta.e2e.test"), routed_status());
  auto again = run_ballast({"apply"}, dir_.path());
  EXPECT_NE(again.out.find("Nothing to do"), std::string::npos) << again.out;

  write_spec("[{name: beta, pool: main, plan: large}]");
  auto guarded = run_ballast({"apply"}, dir_.path());
  EXPECT_NE(guarded.out.find("skipped"), std::string::npos) << guarded.out;
  EXPECT_EQ(page_status("acme.e2e.test"), routed_status())
      << "a guarded deletion must not be applied";
}

TEST_F(DaemonTest, SurvivesKillNineAtAnyMomentOfStartUp) {
  write_spec(
      "[{name: t1, pool: main, plan: small}, {name: t2, pool: main, plan: small},"
      " {name: t3, pool: main, plan: small}, {name: t4, pool: main, plan: large}]");
  std::mt19937 random(42);
  // Kill points spread over the whole start-up: catalog migration, initdb, component starts,
  // tenant provisioning.
  for (int round = 0; round < 10; ++round) {
    core::Command command{.argv = {ballast_binary().string(), "up"},
                          .cwd = dir_.path(),
                          .stdout_mode = core::Stdio::kNull,
                          .stderr_mode = core::Stdio::kNull};
    auto daemon = core::Process::start(command);
    ASSERT_TRUE(daemon.has_value());
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % 1500));
    daemon->signal(SIGKILL);
    daemon->wait();
  }
  auto up = run_ballast({"up", "--detach"}, dir_.path());
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto status = nlohmann::json::parse(run_ballast({"status", "--output", "json"}, dir_.path()).out);
  EXPECT_EQ(status["tenants"].size(), 4U);
  EXPECT_EQ(status["pending_actions"], 0);
  ASSERT_EQ(run_ballast({"down"}, dir_.path()).exit_code, 0);
  core::SystemClock clock;
  auto catalog = catalog::Catalog::open(dir_ / "state", clock, catalog::OpenMode::kExisting);
  ASSERT_TRUE(catalog.has_value()) << catalog.error().to_string();
  EXPECT_EQ((*catalog)->db().integrity_check().value(), "ok");
  auto verify = run_ballast({"audit", "verify"}, dir_.path());
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
}

TEST_F(DaemonTest, ExplainsMissingAndCorruptState) {
  auto missing = run_ballast({"audit", "verify"}, dir_.path());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no catalog in state directory"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("hint: Run 'ballast up'"), std::string::npos);

  fs::create_directories(dir_ / "state");
  write_text(dir_ / "state" / "catalog.db", std::string(8192, '\x42'));
  auto corrupt = run_ballast({"up"}, dir_.path());
  EXPECT_EQ(corrupt.exit_code, 1);
  EXPECT_NE(corrupt.err.find("file is not a database"), std::string::npos) << corrupt.err;
  EXPECT_NE(corrupt.err.find("hint: The catalog file is damaged"), std::string::npos);
  auto plan = run_ballast({"plan"}, dir_.path());
  EXPECT_EQ(plan.exit_code, 1);
}

}  // namespace
}  // namespace ballast::testing
