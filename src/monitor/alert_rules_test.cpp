#include "monitor/alert_rules.h"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include "core/file.h"
#include "monitor/metrics.h"
#include "spec/loader.h"

namespace ballast::monitor {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;
using std::chrono::minutes;

fs::path source_dir() {
  const char* dir = std::getenv("BALLAST_SOURCE_DIR");
  return dir != nullptr ? fs::path(dir) : fs::current_path();
}

bool has_promtool() { return std::system("command -v promtool >/dev/null 2>&1") == 0; }

// A scratch directory removed at the end of the test.
class Scratch {
 public:
  Scratch()
      : dir_(fs::temp_directory_path() /
             ("ballast-alerts-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++))) {
    fs::create_directories(dir_);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  [[nodiscard]] fs::path file(const std::string& name) const { return dir_ / name; }

 private:
  static inline int counter_ = 0;
  fs::path dir_;
};

// Runs promtool with `args` inside `dir`; returns its exit status and output.
std::pair<int, std::string> promtool(const Scratch& scratch, const std::string& args) {
  const auto out = scratch.file("promtool.out");
  const std::string command = "cd '" + scratch.file("").string() + "' && promtool " + args +
                              " > '" + out.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  return {status, core::read_file(out).value_or("unreadable")};
}

spec::Tenant tenant_on(const std::string& name, const std::string& pool, spec::Duration rpo) {
  spec::Tenant t;
  t.name = name;
  t.pool = pool;
  t.continuity.timesheets = {rpo, hours(1)};
  t.continuity.billing = {rpo, hours(1)};
  t.continuity.reporting = {hours(24), hours(8)};
  return t;
}

spec::Spec two_tenants() {
  spec::Spec s;
  spec::Pool pool;
  pool.name = "shared";
  pool.backup.schedule = {hours(24 * 7), hours(24), hours(1), hours(6), {}};
  s.pools.push_back(pool);
  s.tenants.push_back(tenant_on("late", "shared", minutes(5)));
  s.tenants.push_back(tenant_on("fine", "shared", minutes(15)));
  return s;
}

const AlertRule* find_rule(const std::vector<RuleGroup>& groups, const std::string& alert,
                           const std::string& needle) {
  for (const auto& g : groups) {
    for (const auto& r : g.rules) {
      if (r.alert == alert && r.expr.find(needle) != std::string::npos) return &r;
    }
  }
  return nullptr;
}

TEST(AlertRulesTest, ThresholdsComeFromTheSpec) {
  const auto groups = alert_rules(two_tenants());
  const auto* rpo = find_rule(groups, "BallastRpoAtRisk", "\"late\"");
  ASSERT_NE(rpo, nullptr);
  EXPECT_EQ(rpo->expr, "ballast_rpo_seconds{tenant=\"late\"} > 300");
  EXPECT_EQ(rpo->severity(), "critical");
  const auto* stale = find_rule(groups, "BallastTenantBackupStale", "\"fine\"");
  ASSERT_NE(stale, nullptr);
  EXPECT_EQ(stale->expr, "ballast_backup_age_seconds{tenant=\"fine\",kind=\"tenant\"} > 43200");
  const auto* lag = find_rule(groups, "BallastArchiveLagging", "");
  ASSERT_NE(lag, nullptr);
  EXPECT_EQ(lag->expr, "ballast_archive_lag_seconds{cluster=\"shared\"} > 300");
  const auto* incr = find_rule(groups, "BallastClusterBackupStale", "\"incr\"");
  ASSERT_NE(incr, nullptr);
  EXPECT_EQ(incr->expr, "ballast_backup_age_seconds{cluster=\"shared\",kind=\"incr\"} > 7200");
  for (const auto& g : groups) {
    for (const auto& r : g.rules) {
      EXPECT_FALSE(r.severity().empty()) << r.alert;
      EXPECT_FALSE(r.description.empty()) << r.alert;
    }
  }
}

TEST(AlertRulesTest, EscapesLabelValuesInPromql) {
  auto s = two_tenants();
  s.tenants.push_back(tenant_on("quo\"te\\d", "shared", minutes(5)));
  const auto groups = alert_rules(s);
  const auto* rpo = find_rule(groups, "BallastRpoAtRisk", "quo");
  ASSERT_NE(rpo, nullptr);
  EXPECT_EQ(rpo->expr, "ballast_rpo_seconds{tenant=\"quo\\\"te\\\\d\"} > 300");
  if (!has_promtool()) GTEST_SKIP() << "no promtool";
  Scratch scratch;
  ASSERT_TRUE(
      core::write_file_atomic(scratch.file("rules.yml"), render_alert_rules_yaml(s)).has_value());
  const auto [status, output] = promtool(scratch, "check rules rules.yml");
  EXPECT_EQ(status, 0) << output;
}

TEST(AlertRulesTest, PromtoolAcceptsTheExamplesRules) {
  if (!has_promtool()) GTEST_SKIP() << "no promtool";
  for (const std::string example : {"minimal", "consulting-firm"}) {
    auto spec = spec::load(source_dir() / "examples" / (example + ".yaml"));
    ASSERT_TRUE(spec.has_value()) << spec.error().message();
    Scratch scratch;
    ASSERT_TRUE(core::write_file_atomic(scratch.file("rules.yml"), render_alert_rules_yaml(*spec))
                    .has_value());
    const auto [status, output] = promtool(scratch, "check rules rules.yml");
    EXPECT_EQ(status, 0) << example << ":\n" << output;
  }
}

using LabelList = std::vector<std::pair<std::string, std::string>>;

// Expects `alert` at 10m with `labels` and the annotations; no labels: expects no alert.
void expect_alert(YAML::Emitter& out, const std::string& alert, const LabelList& labels,
                  const std::string& summary, const std::string& description) {
  out << YAML::BeginMap << YAML::Key << "eval_time" << YAML::Value << "10m";
  out << YAML::Key << "alertname" << YAML::Value << alert;
  out << YAML::Key << "exp_alerts" << YAML::Value << YAML::BeginSeq;
  if (!labels.empty()) {
    out << YAML::BeginMap << YAML::Key << "exp_labels" << YAML::Value << YAML::BeginMap;
    for (const auto& [key, value] : labels) out << YAML::Key << key << YAML::Value << value;
    out << YAML::EndMap;
    out << YAML::Key << "exp_annotations" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "summary" << YAML::Value << summary;
    out << YAML::Key << "description" << YAML::Value << description;
    out << YAML::EndMap << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
}

void series(YAML::Emitter& out, const std::string& name, const std::string& values) {
  out << YAML::BeginMap << YAML::Key << "series" << YAML::Value << name;
  out << YAML::Key << "values" << YAML::Value << values << YAML::EndMap;
}

// 'late' is 10 minutes behind a 5-minute RPO and its drill failed; 'fine' is 30s behind but not
// ready during its freeze, which makes its readiness alert critical.
std::string unit_tests_for(const std::vector<RuleGroup>& groups) {
  const auto* rpo = find_rule(groups, "BallastRpoAtRisk", "\"late\"");
  const auto* drill = find_rule(groups, "BallastDrillFailed", "\"late\"");
  const auto* frozen = find_rule(groups, "BallastTenantNotReady",
                                 "and on(tenant) ballast_tenant_in_freeze{tenant=\"fine\"}");
  std::string rpo_description = rpo->description;
  const std::string value_template = "{{ $value | humanizeDuration }}";
  rpo_description.replace(rpo_description.find(value_template), value_template.size(), "10m 0s");
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "rule_files" << YAML::Value << YAML::BeginSeq << "rules.yml"
      << YAML::EndSeq;
  out << YAML::Key << "evaluation_interval" << YAML::Value << "1m";
  out << YAML::Key << "tests" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "interval" << YAML::Value << "1m";
  out << YAML::Key << "input_series" << YAML::Value << YAML::BeginSeq;
  series(out, "ballast_rpo_seconds{tenant=\"late\"}", "600x15");
  series(out, "ballast_rpo_seconds{tenant=\"fine\"}", "30x15");
  series(out, "ballast_drill_success{tenant=\"late\"}", "0x15");
  series(out, "ballast_drill_success{tenant=\"fine\"}", "1x15");
  series(out, "ballast_tenant_readiness{tenant=\"fine\",status=\"not_ready\"}", "1x15");
  series(out, "ballast_tenant_in_freeze{tenant=\"fine\"}", "1x15");
  out << YAML::EndSeq;
  out << YAML::Key << "alert_rule_test" << YAML::Value << YAML::BeginSeq;
  expect_alert(out, "BallastRpoAtRisk", {{"severity", "critical"}, {"tenant", "late"}},
               rpo->summary, rpo_description);
  expect_alert(out, "BallastDrillFailed", {{"severity", "critical"}, {"tenant", "late"}},
               drill->summary, drill->description);
  expect_alert(out, "BallastArchiveLagging", {}, "", "");
  expect_alert(out, "BallastTenantNotReady",
               {{"severity", "critical"}, {"status", "not_ready"}, {"tenant", "fine"}},
               frozen->summary, frozen->description);
  out << YAML::EndSeq << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

TEST(AlertRulesTest, PromtoolUnitTestsFireOnlyForTheTenantAtRisk) {
  if (!has_promtool()) GTEST_SKIP() << "no promtool";
  const auto spec = two_tenants();
  const auto groups = alert_rules(spec);
  ASSERT_NE(find_rule(groups, "BallastRpoAtRisk", "\"late\""), nullptr);
  ASSERT_NE(find_rule(groups, "BallastDrillFailed", "\"late\""), nullptr);
  ASSERT_NE(find_rule(groups, "BallastTenantNotReady",
                      "and on(tenant) ballast_tenant_in_freeze{tenant=\"fine\"}"),
            nullptr);
  Scratch scratch;
  ASSERT_TRUE(core::write_file_atomic(scratch.file("rules.yml"), render_alert_rules_yaml(spec))
                  .has_value());
  ASSERT_TRUE(
      core::write_file_atomic(scratch.file("tests.yml"), unit_tests_for(groups)).has_value());
  const auto [status, output] = promtool(scratch, "test rules tests.yml");
  EXPECT_EQ(status, 0) << output << "\n" << core::read_file(scratch.file("tests.yml")).value_or("");
}

TEST(AlertRulesTest, RefersOnlyToDeclaredMetrics) {
  std::set<std::string_view> declared;
  for (const auto& def : all_metrics()) declared.insert(def.name);
  for (const auto& g : alert_rules(two_tenants())) {
    for (const auto& r : g.rules) {
      const auto start = r.expr.find("ballast_");
      ASSERT_NE(start, std::string::npos) << r.expr;
      std::string name;
      for (auto i = start; i < r.expr.size() && (std::islower(r.expr[i]) != 0 || r.expr[i] == '_');
           ++i) {
        name += r.expr[i];
      }
      EXPECT_TRUE(declared.count(name) == 1) << name << " in " << r.expr;
    }
  }
}

}  // namespace
}  // namespace ballast::monitor
