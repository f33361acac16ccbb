// Clock: the time source, injected so schedules and windows are testable without sleeping.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace ballast::core {

using SystemTime = std::chrono::system_clock::time_point;
using SteadyTime = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual SystemTime now() const = 0;
  [[nodiscard]] virtual SteadyTime steady_now() const = 0;
};

// The real clock. Thread-safe.
class SystemClock final : public Clock {
 public:
  [[nodiscard]] SystemTime now() const override { return std::chrono::system_clock::now(); }
  [[nodiscard]] SteadyTime steady_now() const override { return std::chrono::steady_clock::now(); }
};

// A clock that only moves when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(SystemTime start) : now_(start) {}
  [[nodiscard]] SystemTime now() const override;
  [[nodiscard]] SteadyTime steady_now() const override;
  void advance(std::chrono::nanoseconds by);
  void set(SystemTime to);

 private:
  mutable std::mutex mutex_;
  SystemTime now_;
  std::chrono::nanoseconds steady_offset_{0};
};

// RFC 3339 in UTC with seconds ("2026-11-22T10:00:00Z").
std::string format_rfc3339(SystemTime time);
// Milliseconds precision variant used in logs and events.
std::string format_rfc3339_ms(SystemTime time);
// Parses "2026-11-22T10:00:00Z", with optional ".123" fraction or "+01:00" offset.
std::optional<SystemTime> parse_rfc3339(std::string_view text);
std::int64_t unix_seconds(SystemTime time);
SystemTime from_unix_seconds(std::int64_t seconds);

}  // namespace ballast::core
