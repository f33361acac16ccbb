// Grandfather-father-son retention of tenant backups: which to keep, which may go.
//   * every backup of the last 24 hours is kept (the fine-grained restore points of the day);
//   * the newest backup of each of the `daily` most recent days that have one;
//   * the newest of each of the `weekly` most recent ISO weeks, and of the `monthly` most
//     recent months (UTC calendar);
//   * final backups (taken when a tenant is deleted) are never expired by retention.
// Object-locked backups are handled by the caller: a locked backup is never deleted, even
// when retention says it may go.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "spec/model.h"

namespace ballast::backup {

struct BackupPoint {
  std::string id;
  core::SystemTime taken{};
  std::string reason;
};

struct RetentionDecision {
  std::vector<std::string> keep;    // newest first
  std::vector<std::string> expire;  // newest first
  // Why each kept backup stays: "last 24 h", "daily", "weekly", "monthly", "final".
  std::vector<std::pair<std::string, std::string>> reasons;
};

RetentionDecision decide_retention(std::vector<BackupPoint> points,
                                   const spec::Retention& retention, core::SystemTime now);

}  // namespace ballast::backup
