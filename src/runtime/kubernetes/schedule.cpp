// Interval → cron expression, spread by a hash.
#include "runtime/kubernetes/schedule.h"

#include <array>
#include <cstdint>

#include <fmt/format.h>

#include "core/crypto.h"

namespace ballast::runtime::kubernetes {
namespace {

constexpr std::array<std::int64_t, 11> kMinuteSteps = {1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30};
constexpr std::array<std::int64_t, 7> kHourSteps = {1, 2, 3, 4, 6, 8, 12};
constexpr std::int64_t kNightStartHour = 1;
constexpr std::int64_t kNightHours = 4;

// A stable pseudo-random number from the seed (first 8 hex digits of its SHA-256).
std::uint64_t spread(std::string_view seed) {
  return std::stoull(core::sha256_hex(seed).substr(0, 8), nullptr, 16);
}

template <std::size_t N>
std::int64_t largest_step_within(const std::array<std::int64_t, N>& steps, std::int64_t limit) {
  std::int64_t best = steps.front();
  for (const std::int64_t step : steps) {
    if (step <= limit) best = step;
  }
  return best;
}

}  // namespace

std::string cron_schedule(std::chrono::seconds interval, std::string_view seed) {
  const std::int64_t minutes = interval.count() / 60;
  const std::uint64_t hash = spread(seed);
  const auto minute = static_cast<std::int64_t>(hash % 60);
  if (interval.count() > 0 && minutes < 60) {
    const std::int64_t step = largest_step_within(kMinuteSteps, minutes);
    if (step == 1) return "* * * * *";
    return fmt::format("{}-59/{} * * * *", minute % step, step);
  }
  const std::int64_t hours = minutes / 60;
  if (interval.count() > 0 && hours < 24) {
    const std::int64_t step = largest_step_within(kHourSteps, hours);
    if (step == 1) return fmt::format("{} * * * *", minute);
    const auto first = static_cast<std::int64_t>((hash / 60) % static_cast<std::uint64_t>(step));
    return fmt::format("{} {}-23/{} * * *", minute, first, step);
  }
  const std::int64_t hour = kNightStartHour + static_cast<std::int64_t>((hash / 60) % kNightHours);
  if (interval.count() <= 0 || hours < 24 * 7) return fmt::format("{} {} * * *", minute, hour);
  const auto weekday = static_cast<std::int64_t>((hash / 240) % 7);
  return fmt::format("{} {} * * {}", minute, hour, weekday);
}

std::string cron_schedule_with_seconds(std::chrono::seconds interval, std::string_view seed) {
  return "0 " + cron_schedule(interval, seed);
}

}  // namespace ballast::runtime::kubernetes
