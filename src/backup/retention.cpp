#include "backup/retention.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

namespace ballast::backup {

namespace {

using std::chrono::days;
using std::chrono::sys_days;

sys_days day_of(core::SystemTime t) { return std::chrono::floor<days>(t); }

// Monday of the ISO week.
long week_of(core::SystemTime t) {
  const auto d = day_of(t).time_since_epoch().count();  // 1970-01-01 was a Thursday
  return (d + 3) / 7;
}

long month_of(core::SystemTime t) {
  const std::chrono::year_month_day ymd{day_of(t)};
  return static_cast<int>(ymd.year()) * 12L + static_cast<long>(static_cast<unsigned>(ymd.month()));
}

}  // namespace

RetentionDecision decide_retention(std::vector<BackupPoint> points,
                                   const spec::Retention& retention, core::SystemTime now) {
  std::sort(points.begin(), points.end(),
            [](const BackupPoint& a, const BackupPoint& b) { return a.taken > b.taken; });
  std::map<std::string, std::string> why;
  auto keep_newest_per = [&](auto bucket_of, std::uint32_t buckets, const char* label) {
    std::set<long> seen;
    for (const auto& p : points) {  // newest first: the first of a bucket is its newest
      const long bucket = bucket_of(p.taken);
      if (seen.count(bucket) != 0U) continue;
      if (seen.size() >= buckets) break;
      seen.insert(bucket);
      why.emplace(p.id, label);
    }
  };
  for (const auto& p : points) {
    if (p.reason == "final") why.emplace(p.id, "final");
    if (now - p.taken < std::chrono::hours(24)) why.emplace(p.id, "last 24 h");
  }
  keep_newest_per(
      [](core::SystemTime t) { return static_cast<long>(day_of(t).time_since_epoch().count()); },
      retention.daily, "daily");
  keep_newest_per(week_of, retention.weekly, "weekly");
  keep_newest_per(month_of, retention.monthly, "monthly");
  RetentionDecision decision;
  for (const auto& p : points) {
    auto it = why.find(p.id);
    if (it == why.end()) {
      decision.expire.push_back(p.id);
    } else {
      decision.keep.push_back(p.id);
      decision.reasons.emplace_back(p.id, it->second);
    }
  }
  return decision;
}

}  // namespace ballast::backup
