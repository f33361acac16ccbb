#include "core/clock.h"

#include <ctime>

#include <fmt/format.h>

namespace ballast::core {

SystemTime ManualClock::now() const {
  std::lock_guard lock(mutex_);
  return now_;
}

SteadyTime ManualClock::steady_now() const {
  std::lock_guard lock(mutex_);
  return SteadyTime(std::chrono::duration_cast<SteadyTime::duration>(steady_offset_));
}

void ManualClock::advance(std::chrono::nanoseconds by) {
  std::lock_guard lock(mutex_);
  now_ += std::chrono::duration_cast<SystemTime::duration>(by);
  steady_offset_ += by;
}

void ManualClock::set(SystemTime to) {
  std::lock_guard lock(mutex_);
  now_ = to;
}

namespace {
std::tm utc_parts(SystemTime time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  return parts;
}
}  // namespace

std::string format_rfc3339(SystemTime time) {
  const std::tm p = utc_parts(time);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", p.tm_year + 1900, p.tm_mon + 1,
                     p.tm_mday, p.tm_hour, p.tm_min, p.tm_sec);
}

std::string format_rfc3339_ms(SystemTime time) {
  const std::tm p = utc_parts(time);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count() % 1000;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", p.tm_year + 1900, p.tm_mon + 1,
                     p.tm_mday, p.tm_hour, p.tm_min, p.tm_sec, ms < 0 ? ms + 1000 : ms);
}

std::int64_t unix_seconds(SystemTime time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

SystemTime from_unix_seconds(std::int64_t seconds) {
  return SystemTime(std::chrono::seconds(seconds));
}

}  // namespace ballast::core
