// Audit exports verify offline, and any edit, removal or reordering of a line is reported.
#include "security/audit_export.h"

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "core/crypto.h"
#include "core/text.h"

namespace ballast::security {
namespace {

namespace fs = std::filesystem;

class AuditExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ballast-exp-" + core::hex_encode(core::random_bytes(4)));
    catalog_ = catalog::Catalog::open(dir_, clock_, catalog::OpenMode::kCreate).value();
    for (int i = 0; i < 5; ++i) {
      catalog::AuditEntry e;
      e.actor = "token:0123456789ab";
      e.action = "tenant.create";
      e.target = "tenant/t" + std::to_string(i);
      e.outcome = "ok";
      e.detail = R"({"reason":"line\nbreak \"quoted\" ü"})";
      ASSERT_TRUE(catalog_->audit().append(e).has_value());
      clock_.advance(std::chrono::milliseconds(1234));
    }
    auto entries = catalog_->audit().list();
    ASSERT_TRUE(entries.has_value());
    for (const auto& e : *entries) lines_.push_back(export_line(e));
  }
  void TearDown() override {
    catalog_.reset();
    fs::remove_all(dir_);
  }
  std::string joined() const { return core::join(lines_, ""); }

  core::ManualClock clock_{core::from_unix_seconds(1'790'000'000)};
  fs::path dir_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::vector<std::string> lines_;
};

TEST_F(AuditExportTest, AnUntouchedExportVerifies) {
  const auto report = verify_export(joined());
  EXPECT_TRUE(report.is_intact) << core::join(report.problems, "; ");
  EXPECT_EQ(report.rows, 5);
  // An export that starts later verifies from its first row.
  lines_.erase(lines_.begin(), lines_.begin() + 2);
  EXPECT_TRUE(verify_export(joined()).is_intact);
}

TEST_F(AuditExportTest, DetectsAnEditedLine) {
  const auto at = lines_[2].find("tenant/t2");
  ASSERT_NE(at, std::string::npos);
  lines_[2].replace(at, 9, "tenant/xx");
  const auto report = verify_export(joined());
  EXPECT_FALSE(report.is_intact);
  EXPECT_EQ(core::join(report.problems, "; "), "row 3: content does not match its hash (edited)");
}

TEST_F(AuditExportTest, DetectsRemovedAndReorderedLines) {
  auto removed = lines_;
  removed.erase(removed.begin() + 3);
  auto report = verify_export(core::join(removed, ""));
  EXPECT_FALSE(report.is_intact);
  EXPECT_NE(core::join(report.problems, "; ").find("row 5: expected row 4 next"),
            std::string::npos);
  std::swap(lines_[1], lines_[2]);
  EXPECT_FALSE(verify_export(joined()).is_intact);
}

TEST_F(AuditExportTest, ReportsGarbageWithoutThrowing) {
  EXPECT_FALSE(verify_export("").is_intact);
  EXPECT_FALSE(verify_export("{not json\n").is_intact);
  EXPECT_FALSE(verify_export(R"({"seq": "1"})").is_intact);
  lines_[0] = R"({"seq":1,"at":"yesterday","actor":"","action":"","target":"","outcome":"",)"
              R"("detail":"","prev_hash":"","hash":""})";
  EXPECT_FALSE(verify_export(joined()).is_intact);
}

}  // namespace
}  // namespace ballast::security
