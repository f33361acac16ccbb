#include "core/clock.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
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

std::optional<SystemTime> parse_rfc3339(std::string_view text) {
  std::tm parts{};
  int consumed = 0;
  const std::string copy(text);
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &parts.tm_year, &parts.tm_mon,
                  &parts.tm_mday, &parts.tm_hour, &parts.tm_min, &parts.tm_sec, &consumed) != 6 ||
      consumed != 19) {
    return std::nullopt;
  }
  if (parts.tm_mon < 1 || parts.tm_mon > 12 || parts.tm_mday < 1 || parts.tm_mday > 31 ||
      parts.tm_hour > 23 || parts.tm_min > 59 || parts.tm_sec > 60) {
    return std::nullopt;
  }
  parts.tm_year -= 1900;
  parts.tm_mon -= 1;
  std::string_view rest = text.substr(19);
  std::chrono::milliseconds fraction{0};
  if (!rest.empty() && rest.front() == '.') {
    std::size_t digits = 1;
    int ms = 0;
    int scale = 100;
    while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) {
      ms += (rest[digits] - '0') * scale;
      scale /= 10;
      ++digits;
    }
    fraction = std::chrono::milliseconds(ms);
    rest.remove_prefix(digits);
  }
  long offset_seconds = 0;
  if (rest == "Z" || rest == "z") {
    offset_seconds = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    const int hours = std::atoi(std::string(rest.substr(1, 2)).c_str());
    const int minutes = std::atoi(std::string(rest.substr(4, 2)).c_str());
    offset_seconds = (rest[0] == '+' ? 1 : -1) * (hours * 3600L + minutes * 60L);
  } else {
    return std::nullopt;
  }
  const std::time_t seconds = timegm(&parts) - offset_seconds;
  return std::chrono::system_clock::from_time_t(seconds) + fraction;
}

std::int64_t unix_seconds(SystemTime time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

SystemTime from_unix_seconds(std::int64_t seconds) {
  return SystemTime(std::chrono::seconds(seconds));
}

}  // namespace ballast::core
