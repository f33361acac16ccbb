#include "components/redis/client.h"

#include <gtest/gtest.h>

namespace ballast::components::redis {
namespace {

// The part of Redis 7's INFO the metrics read: memory in use and keys evicted.
TEST(RedisInfoTest, ParsesFieldsOfEverySectionAndTheirNumbers) {
  const auto info = parse_info(
      "# Server\r\nredis_version:7.0.15\r\n\r\n# Memory\r\nused_memory:1048576\r\n"
      "used_memory_human:1.00M\r\n# Stats\r\nevicted_keys:3\r\n");
  EXPECT_EQ(info.fields.at("redis_version"), "7.0.15");
  EXPECT_EQ(info.number("used_memory"), 1048576.0);
  EXPECT_EQ(info.number("evicted_keys"), 3.0);
  EXPECT_EQ(info.number("used_memory_human"), std::nullopt) << "1.00M is not a number";
  EXPECT_EQ(info.number("absent"), std::nullopt);
  EXPECT_EQ(info.fields.count("# Memory"), 0U);
}

}  // namespace
}  // namespace ballast::components::redis
