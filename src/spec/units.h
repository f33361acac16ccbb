// Strict parsing and formatting of the spec's units: durations ("15m"), sizes ("20GiB"),
// rates ("50/s") and listen addresses ("127.0.0.1:8080").
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace ballast::spec {

using Duration = std::chrono::seconds;

struct ByteSize {
  std::uint64_t bytes = 0;
  friend bool operator==(const ByteSize&, const ByteSize&) = default;
  friend auto operator<=>(const ByteSize&, const ByteSize&) = default;
};

struct Rate {
  std::uint32_t count = 0;
  Duration per{1};
  [[nodiscard]] double per_second() const {
    return static_cast<double>(count) / static_cast<double>(per.count());
  }
  friend bool operator==(const Rate&, const Rate&) = default;
};

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
  friend bool operator==(const HostPort&, const HostPort&) = default;
};

// "90s", "15m", "24h", "7d", "2w", or a sum such as "1h30m". A unit is required.
core::Result<Duration> parse_duration(std::string_view text);
// "512MiB", "20GiB", "1.5GB", "100KiB", "0B". A unit is required.
core::Result<ByteSize> parse_size(std::string_view text);
// "50/s", "600/m", "10000/h".
core::Result<Rate> parse_rate(std::string_view text);
// "127.0.0.1:8080", "localhost:0", "[::1]:443".
core::Result<HostPort> parse_host_port(std::string_view text);

// The shortest exact spelling: 5400s → "1h30m", 0 → "0s".
std::string format_duration(Duration duration);
// Exact IEC spelling when possible ("20GiB"), else bytes ("1500B").
std::string format_size(ByteSize size);
std::string format_rate(const Rate& rate);
std::string format_host_port(const HostPort& address);

}  // namespace ballast::spec
