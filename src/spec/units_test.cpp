#include "spec/units.h"

#include <gtest/gtest.h>

namespace ballast::spec {
namespace {

TEST(Units, ParsesDurationsStrictly) {
  EXPECT_EQ(parse_duration("15m").value(), Duration(900));
  EXPECT_EQ(parse_duration("1h30m").value(), Duration(5400));
  EXPECT_EQ(parse_duration("7d").value(), Duration(7 * 86400));
  EXPECT_EQ(parse_duration("2w").value(), Duration(14 * 86400));
  for (const char* bad : {"", "15", "m", "15 m", "1.5h", "30m1h", "1h1h", "-5m", "15min"}) {
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
  }
  EXPECT_EQ(parse_duration("15").error().message(),
            "'15' is not a duration (for example '15m', '24h' or '7d')");
}

TEST(Units, ParsesSizesStrictly) {
  EXPECT_EQ(parse_size("20GiB").value().bytes, 20ULL << 30);
  EXPECT_EQ(parse_size("1.5GB").value().bytes, 1500000000ULL);
  EXPECT_EQ(parse_size("0B").value().bytes, 0ULL);
  for (const char* bad : {"20", "20gib", "GiB", "1e3MiB", "20 GiB", "99999999999999TiB"}) {
    EXPECT_FALSE(parse_size(bad).has_value()) << bad;
  }
}

TEST(Units, ParsesRatesAndAddresses) {
  EXPECT_EQ(parse_rate("50/s").value(), (Rate{50, Duration(1)}));
  EXPECT_DOUBLE_EQ(parse_rate("600/m").value().per_second(), 10.0);
  EXPECT_FALSE(parse_rate("50").has_value());
  EXPECT_FALSE(parse_rate("50/d").has_value());
  EXPECT_EQ(parse_host_port("127.0.0.1:8080").value(), (HostPort{"127.0.0.1", 8080}));
  EXPECT_EQ(parse_host_port("[::1]:443").value(), (HostPort{"::1", 443}));
  EXPECT_FALSE(parse_host_port("127.0.0.1:99999").has_value());
  EXPECT_FALSE(parse_host_port("8080").has_value());
}

TEST(Units, FormatsRoundTrip) {
  EXPECT_EQ(format_duration(Duration(5400)), "1h30m");
  EXPECT_EQ(format_duration(Duration(0)), "0s");
  EXPECT_EQ(format_size(ByteSize{20ULL << 30}), "20GiB");
  EXPECT_EQ(format_size(ByteSize{1500}), "1500B");
  EXPECT_EQ(format_rate(Rate{600, Duration(60)}), "600/m");
  EXPECT_EQ(format_host_port(HostPort{"::1", 443}), "[::1]:443");
}

}  // namespace
}  // namespace ballast::spec
