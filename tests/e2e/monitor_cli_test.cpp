// The monitoring renders as an operator runs them: the alert rules of both examples written with
// -o pass `promtool check rules`; without -o they go to stdout; the dashboard is JSON.
#include <cstdlib>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/subprocess.h"
#include "harness/harness.h"

namespace ballast::testing {
namespace {

std::filesystem::path example(const char* name) { return source_dir() / "examples" / name; }

bool has_promtool() { return std::system("command -v promtool >/dev/null 2>&1") == 0; }

TEST(MonitorCli, RenderedAlertRulesPassPromtool) {
  if (!has_promtool()) GTEST_SKIP() << "no promtool";
  for (const char* name : {"minimal.yaml", "consulting-firm.yaml"}) {
    TempDir dir;
    const auto rules = dir.path() / "rules.yml";
    auto r = run_ballast({"render", "alerts", "-f", example(name).string(), "-o", rules.string()},
                         dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("promtool check rules"), std::string::npos) << r.out;
    auto done = core::run(core::Command{.argv = {"promtool", "check", "rules", rules.string()}},
                          std::chrono::minutes(1));
    ASSERT_TRUE(done.has_value()) << done.error().to_string();
    EXPECT_EQ(done->status.code, 0) << name << ": " << done->out << done->err;
  }
}

TEST(MonitorCli, AlertsGoToStdoutWithoutOutAndAsJsonOnRequest) {
  TempDir dir;
  const auto spec = example("consulting-firm.yaml").string();
  auto text = run_ballast({"render", "alerts", "-f", spec}, dir.path());
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out.rfind("groups:", 0), 0U) << text.out;
  EXPECT_NE(text.out.find("BallastRpoAtRisk"), std::string::npos);
  auto json = run_ballast({"render", "alerts", "-f", spec, "--output", "json"}, dir.path());
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_FALSE(nlohmann::json::parse(json.out).at("groups").empty());
}

TEST(MonitorCli, RendersTheDashboardAsJson) {
  TempDir dir;
  const auto out = dir.path() / "dashboard.json";
  auto r = run_ballast({"render", "dashboard", "-f", example("minimal.yaml").string(), "-o",
                        out.string(), "--output", "json"},
                       dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).at("file"), out.string());
  const auto dashboard = nlohmann::json::parse(read_text(out));
  EXPECT_EQ(dashboard.at("schemaVersion"), 39);
}

}  // namespace
}  // namespace ballast::testing
