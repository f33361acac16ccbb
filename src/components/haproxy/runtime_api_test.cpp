#include "components/haproxy/runtime_api.h"

#include <gtest/gtest.h>

namespace ballast::components::haproxy {
namespace {

// The answer HAProxy 2.6 gives to "show table st_tenant": per tenant, the counters the
// metrics read (requests, 4xx, 5xx, and gpc0 = requests refused with 429).
TEST(RuntimeApiTest, ParsesAStickTableIntoCountersPerKey) {
  const auto table = parse_table(
      "# table: st_tenant, type: string, size:20480, used:2\n"
      "0x55d0c1a0e2a0: key=acme use=0 exp=604790000 gpc0=3 http_req_cnt=120 "
      "http_req_rate(10000)=7 http_err_cnt=4 http_err_rate(10000)=0 http_fail_cnt=1\n"
      "0x55d0c1a0e3b0: key=beta use=1 exp=604799000 gpc0=0 http_req_cnt=2 "
      "http_req_rate(10000)=2 http_err_cnt=0 http_err_rate(10000)=0 http_fail_cnt=0\n\n");
  ASSERT_EQ(table.size(), 2U);
  EXPECT_EQ(table.at("acme").at("http_req_cnt"), 120);
  EXPECT_EQ(table.at("acme").at("gpc0"), 3);
  EXPECT_EQ(table.at("acme").at("http_err_cnt"), 4);
  EXPECT_EQ(table.at("acme").at("http_fail_cnt"), 1);
  EXPECT_EQ(table.at("acme").at("http_req_rate(10000)"), 7);
  EXPECT_EQ(table.at("beta").at("use"), 1);
  EXPECT_TRUE(parse_table("# table: st_tenant, type: string, size:20480, used:0\n").empty());
}

}  // namespace
}  // namespace ballast::components::haproxy
