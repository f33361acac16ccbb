// The daemon as a user runs it: up, status, the API, down; one daemon per state directory;
// kill -9 at any moment leaves a catalog that passes integrity checks and an intact audit chain.
#include <csignal>
#include <random>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "catalog/catalog.h"
#include "harness/harness.h"

namespace ballast::testing {
namespace {

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_port_ = free_port();
    write_text(dir_ / "ballast.yaml", fmt::format(R"(platform:
  name: e2e
  state_dir: state
  ingress: {{base_domain: e2e.test, http: "127.0.0.1:{}"}}
  api: "127.0.0.1:{}"
plans: [{{name: small}}]
pools: [{{name: main}}]
tenants: [{{name: acme, pool: main, plan: small}}]
)",
                                                  free_port(), api_port_));
  }
  void TearDown() override { run_ballast({"down"}, dir_.path()); }

  httplib::Result get(const std::string& path, const std::string& token = "") {
    httplib::Client client("127.0.0.1", api_port_);
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return client.Get(path, headers);
  }

  TempDir dir_;
  std::uint16_t api_port_ = 0;
};

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
  const std::vector<std::string> expected = {
      "daemon.start", "apply.create_pool", "apply.create_tenant", "daemon.shutdown", "daemon.stop"};
  EXPECT_EQ(actions, expected);
}

TEST_F(DaemonTest, SurvivesKillNineAtAnyMomentOfStartUp) {
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
  EXPECT_EQ(status["tenants"].size(), 1U);
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
