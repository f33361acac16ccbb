#include "spec/units.h"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace ballast::spec {
namespace {

using core::ErrorCode;
using core::make_error;

struct Unit {
  std::string_view suffix;
  std::uint64_t factor;
};

constexpr std::array kDurationUnits = {Unit{"w", 604800}, Unit{"d", 86400}, Unit{"h", 3600},
                                       Unit{"m", 60}, Unit{"s", 1}};
constexpr std::array kSizeUnits = {Unit{"TiB", 1ULL << 40},      Unit{"GiB", 1ULL << 30},
                                   Unit{"MiB", 1ULL << 20},      Unit{"KiB", 1ULL << 10},
                                   Unit{"TB", 1000000000000ULL}, Unit{"GB", 1000000000ULL},
                                   Unit{"MB", 1000000ULL},       Unit{"KB", 1000ULL},
                                   Unit{"kB", 1000ULL},          Unit{"B", 1}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads leading digits into `value`; false on none or overflow.
bool take_number(std::string_view& text, std::uint64_t& value) {
  std::size_t n = 0;
  while (n < text.size() && is_digit(text[n])) ++n;
  if (n == 0 || n > 15) return false;
  std::from_chars(text.data(), text.data() + n, value);
  text.remove_prefix(n);
  return true;
}

core::Error bad(std::string_view what, std::string_view text, std::string_view example) {
  return make_error(ErrorCode::kInvalidArgument, "'{}' is not a {} (for example {})", text, what,
                    example);
}

}  // namespace

core::Result<Duration> parse_duration(std::string_view text) {
  const std::string_view original = text;
  if (text.empty()) return bad("duration", original, "'15m', '24h' or '7d'");
  std::uint64_t total = 0;
  std::size_t last_unit = 0;
  while (!text.empty()) {
    std::uint64_t value = 0;
    if (!take_number(text, value)) return bad("duration", original, "'15m', '24h' or '7d'");
    std::size_t unit_index = kDurationUnits.size();
    for (std::size_t i = 0; i < kDurationUnits.size(); ++i) {
      if (text.substr(0, 1) == kDurationUnits[i].suffix) unit_index = i;
    }
    // Units must be present and in decreasing order ("1h30m", not "30m1h" or "1h1h").
    if (unit_index == kDurationUnits.size() || (total > 0 && unit_index <= last_unit)) {
      return bad("duration", original, "'15m', '24h' or '7d'");
    }
    text.remove_prefix(1);
    total += value * kDurationUnits[unit_index].factor;
    last_unit = unit_index;
  }
  return Duration(static_cast<Duration::rep>(total));
}

core::Result<ByteSize> parse_size(std::string_view text) {
  const std::string_view original = text;
  constexpr std::string_view kExample = "'512MiB' or '20GiB'";
  std::uint64_t whole = 0;
  if (!take_number(text, whole)) return bad("size", original, kExample);
  std::uint64_t fraction = 0;
  std::uint64_t fraction_scale = 1;
  if (!text.empty() && text.front() == '.') {
    text.remove_prefix(1);
    const std::size_t before = text.size();
    if (!take_number(text, fraction) || before - text.size() > 6) {
      return bad("size", original, kExample);
    }
    for (std::size_t i = 0; i < before - text.size(); ++i) fraction_scale *= 10;
  }
  for (const auto& unit : kSizeUnits) {
    if (text != unit.suffix) continue;
    const long double bytes = static_cast<long double>(whole) * unit.factor +
                              static_cast<long double>(fraction) * unit.factor / fraction_scale;
    if (bytes > static_cast<long double>(std::numeric_limits<std::int64_t>::max())) {
      return bad("size", original, kExample);
    }
    return ByteSize{static_cast<std::uint64_t>(std::llround(bytes))};
  }
  return bad("size", original, kExample);
}

core::Result<Rate> parse_rate(std::string_view text) {
  const std::string_view original = text;
  constexpr std::string_view kExample = "'50/s' or '600/m'";
  std::uint64_t count = 0;
  if (!take_number(text, count) || count > 1000000 || text.size() != 2 || text[0] != '/') {
    return bad("rate", original, kExample);
  }
  for (const auto& unit : kDurationUnits) {
    if (text.substr(1) == unit.suffix && unit.factor <= 3600) {
      return Rate{static_cast<std::uint32_t>(count), Duration(unit.factor)};
    }
  }
  return bad("rate", original, kExample);
}

core::Result<HostPort> parse_host_port(std::string_view text) {
  const std::string_view original = text;
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return bad("listen address", original, "'127.0.0.1:8080'");
  }
  std::string host(text.substr(0, colon));
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::uint64_t port = 0;
  std::string_view port_text = text.substr(colon + 1);
  if (!take_number(port_text, port) || !port_text.empty() || port > 65535 || host.empty()) {
    return bad("listen address", original, "'127.0.0.1:8080'");
  }
  return HostPort{host, static_cast<std::uint16_t>(port)};
}

std::string format_duration(Duration duration) {
  auto left = static_cast<std::uint64_t>(duration.count());
  if (left == 0) return "0s";
  std::string out;
  for (const auto& unit : kDurationUnits) {
    if (left >= unit.factor) {
      out += fmt::format("{}{}", left / unit.factor, unit.suffix);
      left %= unit.factor;
    }
  }
  return out;
}

std::string format_size(ByteSize size) {
  for (const auto& unit : kSizeUnits) {
    if (unit.suffix.find('i') == std::string_view::npos) continue;
    if (size.bytes >= unit.factor && size.bytes % unit.factor == 0) {
      return fmt::format("{}{}", size.bytes / unit.factor, unit.suffix);
    }
  }
  return fmt::format("{}B", size.bytes);
}

std::string format_rate(const Rate& rate) {
  const char* unit = rate.per.count() == 1 ? "s" : rate.per.count() == 60 ? "m" : "h";
  return fmt::format("{}/{}", rate.count, unit);
}

std::string format_host_port(const HostPort& address) {
  if (address.host.find(':') != std::string::npos) {
    return fmt::format("[{}]:{}", address.host, address.port);
  }
  return fmt::format("{}:{}", address.host, address.port);
}

}  // namespace ballast::spec
