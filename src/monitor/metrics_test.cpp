#include "monitor/metrics.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>
#include <unistd.h>

#include "core/file.h"

namespace ballast::monitor {
namespace {

TEST(MetricsTest, NamesFollowTheConventions) {
  std::set<std::string_view> seen;
  for (const auto& def : all_metrics()) {
    EXPECT_TRUE(seen.insert(def.name).second) << def.name << " declared twice";
    EXPECT_EQ(def.name.substr(0, 8), "ballast_") << def.name;
    const bool total = def.name.size() > 6 && def.name.substr(def.name.size() - 6) == "_total";
    EXPECT_EQ(total, def.type == MetricType::kCounter) << def.name;
    EXPECT_FALSE(def.help.empty()) << def.name;
  }
}

TEST(MetricsTest, WritesFamiliesOnceInDeclarationOrderWithEscapedLabels) {
  Exposition e;
  e.add(metric::kJourneySuccess, {{"tenant", "acme"}, {"journey", "login"}}, 1);
  e.add(metric::kRpo, {{"tenant", "a\"b\\c\nd"}}, 12.5);
  e.add(metric::kJourneySuccess, {{"tenant", "acme"}, {"journey", "invoice"}}, 0);
  const auto text = e.text();
  EXPECT_EQ(text, "# HELP ballast_rpo_seconds " + std::string(metric::kRpo.help) +
                      ".\n# TYPE ballast_rpo_seconds gauge\n"
                      "ballast_rpo_seconds{tenant=\"a\\\"b\\\\c\\nd\"} 12.5\n"
                      "# HELP ballast_journey_success " +
                      std::string(metric::kJourneySuccess.help) +
                      ".\n# TYPE ballast_journey_success gauge\n"
                      "ballast_journey_success{tenant=\"acme\",journey=\"login\"} 1\n"
                      "ballast_journey_success{tenant=\"acme\",journey=\"invoice\"} 0\n");
}

// promtool (Debian's prometheus package) lints the exposition as Prometheus would read it.
TEST(MetricsTest, PromtoolAcceptsEveryFamily) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) GTEST_SKIP() << "no promtool";
  Exposition e;
  for (const auto& def : all_metrics()) e.add(def, {{"tenant", "acme"}}, 1);
  const auto file = std::filesystem::temp_directory_path() /
                    ("ballast-metrics-" + std::to_string(::getpid()) + ".prom");
  std::ofstream(file) << e.text();
  const auto command =
      "promtool check metrics < " + file.string() + " > " + file.string() + ".out 2>&1";
  const int status = std::system(command.c_str());
  const std::string complaints = core::read_file(file.string() + ".out").value_or("unreadable");
  std::filesystem::remove(file);
  std::filesystem::remove(file.string() + ".out");
  EXPECT_EQ(status, 0) << complaints;
  EXPECT_EQ(complaints, "");
}

}  // namespace
}  // namespace ballast::monitor
