#include "core/result.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>

namespace ballast::core {
namespace {

Result<int> parse_positive(int n) {
  if (n <= 0) return make_error(ErrorCode::kInvalidArgument, "'{}' is not positive", n);
  return n;
}

Result<int> doubled(int n) {
  BALLAST_ASSIGN_OR_RETURN(int value, parse_positive(n));
  return value * 2;
}

Status check(int n) {
  BALLAST_TRY(parse_positive(n));
  return ok();
}

TEST(Result, CarriesValueOrError) {
  EXPECT_EQ(doubled(4).value(), 8);
  auto failed = doubled(-1);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().message(), "'-1' is not positive");
  EXPECT_EQ(failed.value_or(7), 7);
  EXPECT_TRUE(check(1).has_value());
  EXPECT_EQ(check(0).error().code(), ErrorCode::kInvalidArgument);
}

TEST(Result, ChainsLikeExpected) {
  auto text =
      parse_positive(3).and_then(doubled).transform([](int v) { return std::to_string(v); });
  EXPECT_EQ(text.value(), "6");
  auto failed = parse_positive(-3).transform([](int v) { return v + 1; });
  EXPECT_FALSE(failed.has_value());
}

TEST(Result, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> held = std::make_unique<int>(5);
  auto owned = std::move(held).value();
  EXPECT_EQ(*owned, 5);
}

}  // namespace
}  // namespace ballast::core
