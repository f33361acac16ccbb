// Master-key rotation, including a crash between each of its steps; the token and
// second-factor stores.
#include "catalog/master_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "catalog/catalog.h"
#include "core/file.h"

namespace ballast::catalog {
namespace {

namespace fs = std::filesystem;

class MasterKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ballast-key-" + core::hex_encode(core::random_bytes(4)));
    reopen();
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(catalog_->secrets()
                      .put("tenant/t" + std::to_string(i), "db_password",
                           core::Secret("password-" + std::to_string(i)))
                      .has_value());
    }
  }
  void TearDown() override {
    catalog_.reset();
    fs::remove_all(dir_);
  }
  void reopen() {
    catalog_.reset();
    auto opened = Catalog::open(dir_, clock_, OpenMode::kCreate);
    ASSERT_TRUE(opened.has_value()) << opened.error().to_string();
    catalog_ = std::move(opened).value();
  }
  void expect_all_readable() {
    for (int i = 0; i < 20; ++i) {
      auto value = catalog_->secrets().get("tenant/t" + std::to_string(i), "db_password");
      ASSERT_TRUE(value.has_value()) << value.error().to_string();
      EXPECT_EQ(value->reveal(), "password-" + std::to_string(i));
    }
  }
  std::string key_file() { return core::read_file(dir_ / kMasterKeyFile).value(); }

  core::ManualClock clock_{core::from_unix_seconds(1'790'000'000)};
  fs::path dir_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(MasterKeyTest, RotatesEverySecretAndTheKeyFile) {
  const std::string before = key_file();
  auto done = rotate_master_key(dir_, catalog_->secrets());
  ASSERT_TRUE(done.has_value()) << done.error().to_string();
  EXPECT_EQ(done->secrets, 20);
  EXPECT_NE(done->old_key_id, done->new_key_id);
  EXPECT_EQ(catalog_->secrets().key_id(), done->new_key_id);
  EXPECT_NE(key_file(), before);
  EXPECT_FALSE(fs::exists(dir_ / kNextMasterKeyFile));
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / kMasterKeyFile).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  expect_all_readable();  // the running process uses the new key at once
  reopen();
  expect_all_readable();  // and so does the next one, from the file
}

TEST_F(MasterKeyTest, CrashAfterStagingKeepsTheOldKey) {
  const std::string before = key_file();
  ASSERT_TRUE(stage_master_key(dir_).has_value());
  ASSERT_TRUE(fs::exists(dir_ / kNextMasterKeyFile));
  reopen();  // "crash": the re-seal never ran
  EXPECT_FALSE(fs::exists(dir_ / kNextMasterKeyFile));
  EXPECT_EQ(key_file(), before);
  expect_all_readable();
}

TEST_F(MasterKeyTest, CrashAfterResealFinishesTheRotation) {
  const std::string before = key_file();
  auto next = stage_master_key(dir_);
  ASSERT_TRUE(next.has_value());
  const std::string staged = core::read_file(dir_ / kNextMasterKeyFile).value();
  ASSERT_TRUE(catalog_->secrets().rotate_key(*next).has_value());
  EXPECT_EQ(key_file(), before);  // "crash" before the promotion
  reopen();
  EXPECT_FALSE(fs::exists(dir_ / kNextMasterKeyFile));
  EXPECT_EQ(key_file(), staged);
  expect_all_readable();
}

TEST_F(MasterKeyTest, RefusesRowsUnderTwoKeys) {
  auto next = stage_master_key(dir_);
  ASSERT_TRUE(next.has_value());
  {
    auto guard = catalog_->db().lock();
    auto s =
        catalog_->db().prepare("UPDATE secrets SET key_id = ? WHERE scope = 'tenant/t1'").value();
    s.bind(1, next->key_id());
    ASSERT_TRUE(s.run().has_value());
  }
  catalog_.reset();
  auto opened = Catalog::open(dir_, clock_, OpenMode::kExisting);
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code(), core::ErrorCode::kCorrupt);
}

TEST_F(MasterKeyTest, TokenStoreKeepsRecordsAndRevocations) {
  auto& tokens = catalog_->tokens();
  TokenRecord r;
  r.id = "0123456789ab";
  r.name = "ci";
  r.role = "tenant-admin";
  r.tenants = {"acme", "lex"};
  r.hash = "$argon2id$…";
  r.created_at = clock_.now();
  r.created_by = "daemon";
  r.expires_at = clock_.now() + std::chrono::hours(1);
  ASSERT_TRUE(tokens.insert(r).has_value());
  EXPECT_EQ(tokens.insert(r).error().code(), core::ErrorCode::kAlreadyExists);
  auto found = tokens.find(r.id).value();
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->tenants, r.tenants);
  EXPECT_FALSE(found->is_expired(clock_.now()));
  EXPECT_TRUE(found->is_expired(clock_.now() + std::chrono::hours(2)));
  ASSERT_TRUE(tokens.revoke(r.id, "token:x", clock_.now()).has_value());
  EXPECT_EQ(tokens.revoke(r.id, "token:x", clock_.now()).error().code(),
            core::ErrorCode::kConflict);
  EXPECT_EQ(tokens.revoke("ffffffffffff", "token:x", clock_.now()).error().code(),
            core::ErrorCode::kNotFound);
  EXPECT_TRUE(tokens.find(r.id).value()->is_revoked());
  EXPECT_TRUE(tokens.list(false).value().empty());
  EXPECT_EQ(tokens.list(true).value().size(), 1U);
}

TEST_F(MasterKeyTest, SecondFactorStepsAreUsedOnce) {
  auto& store = catalog_->second_factors();
  ASSERT_TRUE(store.enroll("token:a", clock_.now()).has_value());
  EXPECT_FALSE(store.find("token:a").value()->is_confirmed());
  EXPECT_TRUE(store.use_step("token:a", 100).value());
  EXPECT_FALSE(store.use_step("token:a", 100).value());  // replay
  EXPECT_FALSE(store.use_step("token:a", 99).value());   // older
  EXPECT_TRUE(store.use_step("token:a", 101).value());
  EXPECT_FALSE(store.use_step("token:nobody", 5).value());
  ASSERT_TRUE(store.confirm("token:a", clock_.now()).has_value());
  EXPECT_TRUE(store.find("token:a").value()->is_confirmed());
  ASSERT_TRUE(store.enroll("token:a", clock_.now()).has_value());  // re-enrolment resets
  EXPECT_FALSE(store.find("token:a").value()->is_confirmed());
  EXPECT_TRUE(store.use_step("token:a", 50).value());
}

}  // namespace
}  // namespace ballast::catalog
