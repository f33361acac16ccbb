#include "core/file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/crypto.h"

namespace ballast::core {
namespace {

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ballast-file-test-" + hex_encode(random_bytes(4)));
    ASSERT_TRUE(ensure_dir(dir_, 0700).has_value());
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(FileTest, AtomicWriteSetsModeAndLeavesNoTemporary) {
  const auto path = dir_ / "secret";
  ASSERT_TRUE(write_file_atomic(path, "one", 0600).has_value());
  ASSERT_TRUE(write_file_atomic(path, "two", 0600).has_value());
  EXPECT_EQ(read_file(path).value(), "two");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(FileTest, ReadReportsMissingAndOversizedFiles) {
  auto missing = read_file(dir_ / "nope");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(write_file_atomic(dir_ / "big", std::string(100, 'x')).has_value());
  auto big = read_file(dir_ / "big", 10);
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().code(), ErrorCode::kPayloadTooLarge);
}

TEST_F(FileTest, LockIsExclusiveAndReleasedOnDestruction) {
  const auto path = dir_ / "lock";
  {
    auto first = FileLock::acquire(path);
    ASSERT_TRUE(first.has_value());
    EXPECT_TRUE(is_locked(path));
    // flock locks belong to the open file description: a second open in this process conflicts.
    auto second = FileLock::acquire(path);
    ASSERT_FALSE(second.has_value());
    EXPECT_EQ(second.error().code(), ErrorCode::kLocked);
    EXPECT_NE(second.error().message().find(std::to_string(::getpid())), std::string::npos);
  }
  EXPECT_FALSE(is_locked(path));
  EXPECT_TRUE(FileLock::acquire(path).has_value());
}

}  // namespace
}  // namespace ballast::core
