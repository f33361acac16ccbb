// Restore drills as an operator runs them from the command line, against a daemon with real
// PostgreSQL, pgBackRest and the Odoo stand-in: `ballast drill run` prints RTO and RPO against
// the targets, `drill report -o` writes the HTML evidence, `readiness` answers per tenant; and a
// daemon killed in the middle of a drill leaves nothing behind once it is started again — the
// sandbox, its PostgreSQL and its Odoo are gone and the drill is recorded as failed.
#include <algorithm>
#include <csignal>
#include <thread>

#include <fmt/ranges.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/file.h"
#include "core/subprocess.h"
#include "harness/harness.h"

namespace ballast::testing {
namespace {

namespace fs = std::filesystem;

class DrillCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_text(dir_ / "ballast.yaml",
               fmt::format(R"(platform:
  name: e2e-drill
  state_dir: state
  ingress: {{base_domain: e2e.test, http: "127.0.0.1:{}"}}
  api: "127.0.0.1:{}"
  odoo: {{source: "{}", modules: [hr_timesheet, account]}}
repositories:
  - {{name: local, type: posix, path: backups}}
plans: [{{name: small}}]
pools:
  - name: main
    backup:
      repositories: [local]
      schedule: {{full: 30d, differential: 30d, incremental: 30d, tenant: 30d, verify: 30d, drill: 30d}}
tenants:
  - name: acme
    pool: main
    plan: small
    domains: [acme.e2e.test]
    continuity:
      timesheets: {{rpo: 15m, rto: 1h}}
      billing: {{rpo: 5m, rto: 30m}}
)",
                           free_port(), free_port(), odoo_source().string()));
  }
  void TearDown() override {
    run_ballast({"down"}, dir_.path());
    kill_processes_under(dir_.path());
  }
  nlohmann::json json(const std::vector<std::string>& args, int expected_exit = 0) {
    auto argv = args;
    argv.insert(argv.end(), {"--output", "json"});
    auto r = run_ballast(argv, dir_.path());
    EXPECT_EQ(r.exit_code, expected_exit) << r.out << r.err;
    const auto answer = split_progress(r.out).text;
    return nlohmann::json::parse(answer.empty() ? "{}" : answer);
  }
  [[nodiscard]] std::vector<fs::path> sandboxes() const {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_ / "state" / "sandboxes", ec))
      out.push_back(e.path());
    return out;
  }
  // Processes whose command line names `text`, "pid: command line" each, for the message.
  static std::vector<std::string> processes_naming(const std::string& text) {
    std::vector<std::string> found;
    for (const pid_t pid : core::processes_naming(text)) {
      auto cmdline = core::read_file("/proc/" + std::to_string(pid) + "/cmdline").value_or("");
      std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
      found.push_back(std::to_string(pid) + ": " + cmdline);
    }
    return found;
  }
  TempDir dir_;
};

TEST_F(DrillCliTest, RunReportReadinessAndADaemonKilledMidDrillLeavesNothingBehind) {
  ASSERT_EQ(run_ballast({"up", "--detach"}, dir_.path()).exit_code, 0);
  json({"backup", "cluster", "main", "--type", "full"});

  // The operator's view: RTO and RPO against the targets, and the verdict.
  auto text = run_ballast({"drill", "run", "acme"}, dir_.path());
  ASSERT_EQ(text.exit_code, 0) << text.out << text.err;
  EXPECT_NE(text.out.find("RTO"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("RPO"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("PASSED"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("billing"), std::string::npos) << "per business process: " << text.out;

  auto readiness = json({"readiness", "acme"});
  EXPECT_EQ(readiness["tenant"], "acme") << readiness.dump();
  EXPECT_EQ(readiness["last_drill"], "passed") << readiness.dump();

  // Kill the daemon while the drill's sandbox exists, then start it again.
  core::Command command{.argv = {ballast_binary().string(), "drill", "run", "acme"},
                        .cwd = dir_.path(),
                        .stdout_mode = core::Stdio::kNull,
                        .stderr_mode = core::Stdio::kNull};
  auto client = core::Process::start(command);
  ASSERT_TRUE(client.has_value());
  ASSERT_TRUE(poll_until([&] { return !sandboxes().empty(); }, std::chrono::seconds(120)))
      << "the drill never made a sandbox";
  const auto sandbox = sandboxes().front();
  // Let recovery get under way (PostgreSQL of the copy running) before the kill.
  poll_until([&] { return !processes_naming(sandbox.string()).empty(); }, std::chrono::seconds(30));
  const auto daemon_pid = std::stoi(read_text(dir_ / "state" / "daemon.pid"));
  ASSERT_EQ(::kill(daemon_pid, SIGKILL), 0);
  client->wait();

  auto up = run_ballast({"up", "--detach"}, dir_.path());
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_TRUE(sandboxes().empty()) << "the leftover sandbox is removed on start";
  EXPECT_FALSE(fs::exists(sandbox));
  EXPECT_TRUE(poll_until([&] { return processes_naming(sandbox.string()).empty(); },
                         std::chrono::seconds(10)))
      << "no process of the drill survives: "
      << fmt::format("{}", fmt::join(processes_naming(sandbox.string()), "\n"));

  auto report = json({"drill", "report", "acme"});
  ASSERT_EQ(report["drills"], 2) << report.dump(1);
  const auto& latest = report["history"][0];
  EXPECT_EQ(latest["state"], "failed") << latest.dump(1);
  ASSERT_FALSE(latest["reasons"].empty());
  EXPECT_NE(latest["reasons"][0].get<std::string>().find("daemon stopped during the drill"),
            std::string::npos)
      << latest.dump(1);
  EXPECT_EQ(report["passed"], 1);

  // The evidence for an auditor: one self-contained page with both charts.
  auto written = run_ballast({"drill", "report", "acme", "-o", "acme-drills.html"}, dir_.path());
  ASSERT_EQ(written.exit_code, 0) << written.err;
  const auto html = read_text(dir_ / "acme-drills.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("the daemon stopped during the drill"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos) << "no script: an auditor opens it offline";

  // A failed drill makes the tenant not ready, with the reason.
  auto after = json({"readiness", "acme"});
  EXPECT_EQ(after["status"], "not_ready") << after.dump();
}

}  // namespace
}  // namespace ballast::testing
