// Cron schedules for CronJobs and CloudNativePG ScheduledBackups, derived from the spec's
// intervals ("6h", "7d") and spread over the hour, night or week by a hash of the job's name so
// that a hundred tenants do not all start their backups at the same minute.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace ballast::runtime::kubernetes {

// A five-field cron expression that runs at least as often as every `interval` (never less
// often: a schedule exists to meet an RPO), placed by a hash of `seed`:
//   < 1h      every N minutes, N the largest divisor of 60 not above the interval  "7-59/15 * * *
//   *" < 24h     every N hours, N the largest divisor of 24 not above the interval    "7 2-23/6 * *
//   *" < 7d      daily, between 01:00 and 04:59                                        "7 3 * * *"
//   >= 7d     weekly, between 01:00 and 04:59 on a hashed day                       "7 3 * * 6"
// An interval of zero or less is treated as daily.
std::string cron_schedule(std::chrono::seconds interval, std::string_view seed);

// The same schedule in CloudNativePG's six-field form (seconds first): "0 7 3 * * *".
std::string cron_schedule_with_seconds(std::chrono::seconds interval, std::string_view seed);

}  // namespace ballast::runtime::kubernetes
