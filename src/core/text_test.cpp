#include "core/text.h"

#include <array>

#include <gtest/gtest.h>

namespace ballast::core {
namespace {

TEST(Text, SuggestsCloseNamesOnly) {
  const std::array<std::string_view, 3> keys = {"tenants", "pools", "repositories"};
  EXPECT_EQ(did_you_mean("tenant", keys), "; did you mean 'tenants'?");
  EXPECT_EQ(did_you_mean("repostories", keys), "; did you mean 'repositories'?");
  EXPECT_EQ(did_you_mean("zebra", keys), "");
}

TEST(Text, ChecksDnsLabels) {
  EXPECT_TRUE(is_dns_label("acme-consulting"));
  EXPECT_FALSE(is_dns_label("Acme"));
  EXPECT_FALSE(is_dns_label("-acme"));
  EXPECT_FALSE(is_dns_label("../etc"));
  EXPECT_FALSE(is_dns_label(std::string(64, 'a')));
  EXPECT_TRUE(is_dns_name("acme.hosting.example"));
  EXPECT_FALSE(is_dns_name("acme..example"));
}

TEST(Text, SplitsJoinsAndTrims) {
  const auto parts = split("a,b,,c", ',');
  ASSERT_EQ(parts.size(), 4U);
  EXPECT_EQ(join(parts, "+"), "a+b++c");
  EXPECT_EQ(trim("  x y \n"), "x y");
}

}  // namespace
}  // namespace ballast::core
