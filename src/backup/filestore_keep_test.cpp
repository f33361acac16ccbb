#include "backup/filestore_keep.h"

#include <gtest/gtest.h>

#include "core/crypto.h"
#include "core/file.h"

namespace ballast::backup {
namespace {

namespace fs = std::filesystem;

class FilestoreKeepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("ballast-keep-test-" + core::hex_encode(core::random_bytes(4)));
    ASSERT_TRUE(core::ensure_dir(root_, 0700).has_value());
    layout_.root = root_;
  }
  void TearDown() override { fs::remove_all(root_); }
  void put(const std::string& name, const std::string& content) {
    const auto path = layout_.filestore("acme") / name;
    ASSERT_TRUE(core::ensure_dir(path.parent_path(), 0700).has_value());
    ASSERT_TRUE(core::write_file_atomic(path, content, 0600).has_value());
  }
  fs::path root_;
  runtime::local::Layout layout_;
};

TEST_F(FilestoreKeepTest, AnObjectOdooDeletedIsStillRecoverable) {
  put("ab/ab01", "invoice scan");
  put("cd/cd02", "timesheet export");
  FilestoreKeep keep(layout_);
  auto first = keep.absorb("acme");
  ASSERT_TRUE(first.has_value()) << first.error().to_string();
  EXPECT_EQ(first->added, 2U);
  EXPECT_EQ(first->deleted, 0U);
  EXPECT_EQ(keep.absorb("acme")->added, 0U) << "a second pass links nothing new";

  fs::remove(layout_.filestore("acme") / "ab/ab01");  // Odoo's garbage collection
  auto second = keep.absorb("acme");
  EXPECT_EQ(second->deleted, 1U);
  EXPECT_EQ(second->bytes_only_in_keep, std::string("invoice scan").size());

  const auto into = root_ / "restored";
  auto recovered = keep.recover("acme", {"ab/ab01", "cd/cd02", "ef/ef03"}, into);
  ASSERT_TRUE(recovered.has_value());
  EXPECT_EQ(recovered->from_keep, 1U);
  EXPECT_EQ(recovered->from_live, 1U);
  ASSERT_EQ(recovered->missing, std::vector<std::string>{"ef/ef03"});
  EXPECT_EQ(core::read_file(into / "ab/ab01").value(), "invoice scan");
  EXPECT_EQ(core::read_file(into / "cd/cd02").value(), "timesheet export");
}

TEST_F(FilestoreKeepTest, ExpiryForgetsOnlyWhatOdooDeletedBeforeTheHorizon) {
  put("ab/ab01", "one");
  put("cd/cd02", "two");
  FilestoreKeep keep(layout_);
  ASSERT_TRUE(keep.absorb("acme").has_value());
  fs::remove(layout_.filestore("acme") / "ab/ab01");
  const auto now = core::SystemClock().now();
  EXPECT_EQ(keep.expire("acme", now - std::chrono::hours(1)).value(), 0U)
      << "deleted just now: still inside the recovery window";
  EXPECT_EQ(keep.expire("acme", now + std::chrono::hours(1)).value(), 1U);
  EXPECT_FALSE(fs::exists(keep.dir("acme") / "ab/ab01"));
  EXPECT_TRUE(fs::exists(keep.dir("acme") / "cd/cd02")) << "still in use by Odoo";
}

TEST(StoreName, OnlyOdooShapedNamesAreAccepted) {
  EXPECT_TRUE(is_store_name("ab/ab0123456789"));
  EXPECT_FALSE(is_store_name("../../etc/passwd"));
  EXPECT_FALSE(is_store_name("ab/../../x"));
  EXPECT_FALSE(is_store_name("/ab/abc"));
  EXPECT_FALSE(is_store_name("AB/ABC"));
  EXPECT_FALSE(is_store_name("ab/"));
}

}  // namespace
}  // namespace ballast::backup
