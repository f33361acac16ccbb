#include "core/error.h"

#include <set>

#include <gtest/gtest.h>

namespace ballast::core {
namespace {

TEST(ErrorTable, IsIndexedByCodeAndNamesAreUnique) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kErrorCodes.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(kErrorCodes[i].code), i) << kErrorCodes[i].name;
    EXPECT_TRUE(names.insert(kErrorCodes[i].name).second) << kErrorCodes[i].name;
    // A parked request was accepted (202) but is not done: its own exit code, so a script
    // neither takes it for success nor for a failure to retry.
    if (kErrorCodes[i].code == ErrorCode::kApprovalPending) continue;
    EXPECT_TRUE(kErrorCodes[i].exit_code == kExitFailed ||
                kErrorCodes[i].exit_code == kExitBadInput);
  }
  EXPECT_EQ(info(ErrorCode::kApprovalPending).exit_code, kExitPending);
}

TEST(ErrorTable, BadInputCodesExitWithTwo) {
  EXPECT_EQ(info(ErrorCode::kSpecInvalid).exit_code, 2);
  EXPECT_EQ(info(ErrorCode::kInvalidArgument).exit_code, 2);
  EXPECT_EQ(info(ErrorCode::kNotFound).exit_code, 1);
  EXPECT_EQ(info(ErrorCode::kNotFound).http_status, 404);
}

TEST(Error, FormatsWhereMessageAndContext) {
  auto error = make_error(ErrorCode::kNotFound, "tenant '{}' not found", "acme")
                   .with_where("ballast.yaml:3:5")
                   .with_hint("Run 'ballast tenant list'.")
                   .with_context("planning");
  EXPECT_EQ(error.to_string(), "ballast.yaml:3:5: tenant 'acme' not found (while planning)");
  EXPECT_EQ(error.hint(), "Run 'ballast tenant list'.");
  EXPECT_EQ(error.code_name(), "not_found");
  EXPECT_EQ(error_code_from_name("not_found"), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace ballast::core
