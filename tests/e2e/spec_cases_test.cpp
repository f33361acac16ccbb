// Every invalid spec in tests/spec_cases/invalid/ gets exactly its expected message.
#include <algorithm>

#include <gtest/gtest.h>

#include "harness/harness.h"

namespace ballast::testing {
namespace {

std::vector<fs::path> cases() {
  std::vector<fs::path> out;
  for (const auto& entry :
       fs::directory_iterator(source_dir() / "tests" / "spec_cases" / "invalid")) {
    if (entry.path().extension() == ".yaml") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SpecCases, ThereAreAtLeastThirty) { EXPECT_GE(cases().size(), 30U); }

TEST(SpecCases, EachPrintsItsExactExpectedMessage) {
  const bool update = std::getenv("BALLAST_UPDATE_GOLDEN") != nullptr;
  for (const auto& path : cases()) {
    auto r = run_ballast({"validate", "-f", path.filename().string()}, path.parent_path());
    EXPECT_EQ(r.exit_code, 2) << path.filename() << ": " << r.err;
    auto expected_path = path;
    expected_path.replace_extension(".expected");
    if (update) write_text(expected_path, r.err);
    EXPECT_EQ(r.err, read_text(expected_path)) << path.filename();
  }
}

}  // namespace
}  // namespace ballast::testing
