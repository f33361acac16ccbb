#include "backup/retention.h"

#include <set>

#include <gtest/gtest.h>

namespace ballast::backup {
namespace {

core::SystemTime at(const char* text) { return *core::parse_rfc3339(text); }

// Four backups a day (every 6 h) for 120 days, ending 2026-11-22T18:00Z.
std::vector<BackupPoint> four_a_day() {
  std::vector<BackupPoint> points;
  const auto end = at("2026-11-22T18:00:00Z");
  for (int i = 0; i < 120 * 4; ++i) {
    const auto t = end - std::chrono::hours(6) * i;
    points.push_back({core::format_rfc3339(t), t, "scheduled"});
  }
  return points;
}

TEST(Retention, SevenDailyFourWeeklyThreeMonthly) {
  const auto now = at("2026-11-22T19:00:00Z");
  auto d = decide_retention(four_a_day(), spec::Retention{7, 4, 3}, now);
  // The last 24 h: 00:00 to 18:00 of the 22nd. 2026-11-21T18:00 is 25 h old: it is a daily.
  std::set<std::string> kept(d.keep.begin(), d.keep.end());
  for (const char* recent : {"2026-11-22T00:00:00Z", "2026-11-22T06:00:00Z", "2026-11-22T12:00:00Z",
                             "2026-11-22T18:00:00Z"})
    EXPECT_EQ(kept.count(recent), 1U) << recent;
  // Daily: the newest of each of the 7 most recent days (22nd back to the 16th).
  for (const char* daily : {"2026-11-21T18:00:00Z", "2026-11-20T18:00:00Z", "2026-11-16T18:00:00Z"})
    EXPECT_EQ(kept.count(daily), 1U) << daily;
  EXPECT_EQ(kept.count("2026-11-21T12:00:00Z"), 0U) << "not the newest of its day";
  EXPECT_EQ(kept.count("2026-11-15T12:00:00Z"), 0U) << "the 8th day back has no daily";
  // Weekly: the newest of each of the 4 most recent ISO weeks (Monday to Sunday).
  for (const char* weekly :
       {"2026-11-15T18:00:00Z", "2026-11-08T18:00:00Z", "2026-11-01T18:00:00Z"})
    EXPECT_EQ(kept.count(weekly), 1U) << weekly;
  EXPECT_EQ(kept.count("2026-10-25T18:00:00Z"), 0U) << "a fifth week is beyond weekly: 4";
  // Monthly: November (today's), October 31st, September 30th.
  EXPECT_EQ(kept.count("2026-10-31T18:00:00Z"), 1U);
  EXPECT_EQ(kept.count("2026-09-30T18:00:00Z"), 1U);
  EXPECT_EQ(kept.count("2026-08-31T18:00:00Z"), 0U) << "a fourth month is beyond monthly: 3";
  EXPECT_EQ(d.keep.size(), 4U + 6U + 3U + 2U);
  EXPECT_EQ(d.keep.size() + d.expire.size(), 480U);
}

TEST(Retention, FinalBackupsAndTheLastDayAlwaysStay) {
  const auto now = at("2026-11-22T12:00:00Z");
  std::vector<BackupPoint> points = {
      {"old-final", at("2025-01-01T00:00:00Z"), "final"},
      {"old", at("2025-01-02T00:00:00Z"), "scheduled"},
      {"older", at("2025-01-01T12:00:00Z"), "scheduled"},
      {"recent-1", at("2026-11-22T11:00:00Z"), "scheduled"},
      {"recent-2", at("2026-11-22T10:00:00Z"), "pre-upgrade"},
  };
  auto d = decide_retention(points, spec::Retention{0, 0, 0}, now);
  EXPECT_EQ(d.keep, (std::vector<std::string>{"recent-1", "recent-2", "old-final"}));
  EXPECT_EQ(d.expire, (std::vector<std::string>{"old", "older"}));
}

TEST(Retention, NothingToDecideIsFine) {
  auto d = decide_retention({}, spec::Retention{}, at("2026-11-22T12:00:00Z"));
  EXPECT_TRUE(d.keep.empty());
  EXPECT_TRUE(d.expire.empty());
}

}  // namespace
}  // namespace ballast::backup
