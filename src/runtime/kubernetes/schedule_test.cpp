#include "runtime/kubernetes/schedule.h"

#include <regex>

#include <gtest/gtest.h>

namespace ballast::runtime::kubernetes {
namespace {

using std::chrono::seconds;

TEST(Schedule, RunsAtLeastAsOftenAsTheInterval) {
  struct Case {
    std::int64_t interval_seconds;
    const char* pattern;  // regex of the expression
  };
  const Case cases[] = {
      {60, R"(\* \* \* \* \*)"},
      {15 * 60, R"(\d{1,2}-59/15 \* \* \* \*)"},
      {45 * 60, R"(\d{1,2}-59/30 \* \* \* \*)"},  // 45 does not divide 60: every 30
      {3600, R"(\d{1,2} \* \* \* \*)"},
      {6 * 3600, R"(\d{1,2} \d-23/6 \* \* \*)"},
      {5 * 3600, R"(\d{1,2} \d-23/4 \* \* \*)"},
      {86400, R"(\d{1,2} [1-4] \* \* \*)"},
      {2 * 86400, R"(\d{1,2} [1-4] \* \* \*)"},
      {7 * 86400, R"(\d{1,2} [1-4] \* \* [0-6])"},
      {0, R"(\d{1,2} [1-4] \* \* \*)"},
  };
  for (const auto& c : cases) {
    const std::string cron = cron_schedule(seconds(c.interval_seconds), "acme-backup");
    EXPECT_TRUE(std::regex_match(cron, std::regex(c.pattern)))
        << c.interval_seconds << ": " << cron;
  }
}

TEST(Schedule, SpreadsByNameAndIsStable) {
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i)
    seen.insert(cron_schedule(seconds(86400), "tenant-" + std::to_string(i)));
  EXPECT_GT(seen.size(), 10U);
  EXPECT_EQ(cron_schedule(seconds(86400), "x"), cron_schedule(seconds(86400), "x"));
  EXPECT_EQ(cron_schedule_with_seconds(seconds(86400), "x"),
            "0 " + cron_schedule(seconds(86400), "x"));
}

}  // namespace
}  // namespace ballast::runtime::kubernetes
