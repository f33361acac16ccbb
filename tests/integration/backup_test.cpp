// Tenant backups and restores on real PostgreSQL: round trip, verification, and every fault the
// issue names (a flipped bit, truncation, a missing manifest, a wrong key, a full disk) ending
// in a clear error with earlier backups intact and production untouched.
#include <sys/mount.h>

#include "backup/repository/posix/posix_repository.h"
#include "components/postgres/connection.h"
#include "core/file.h"
#include "platform_fixture.h"

namespace ballast::testing {
namespace {

using runtime::local::HostRef;

class BackupTest : public PlatformFixture {
 protected:
  static void SetUpTestSuite() {
    run_without_odoo();  // the tenant databases get hand-made tables, not Odoo's
    PlatformFixture::SetUpTestSuite();
    auto db = platform().runtime()->postgres_admin({HostRef::Kind::kPool, "main"}, "a").value();
    ASSERT_TRUE(db.exec("CREATE TABLE account_analytic_line (id serial primary key, name text, "
                        "unit_amount numeric)")
                    .has_value());
    ASSERT_TRUE(
        db.exec("INSERT INTO account_analytic_line (name, unit_amount) SELECT 'task ' || g, "
                "g % 8 FROM generate_series(1, 5000) g")
            .has_value());
    ASSERT_TRUE(db.exec("ALTER TABLE account_analytic_line OWNER TO \"a\"").has_value());
    const auto filestore = platform().runtime()->layout().filestore("a");
    std::filesystem::create_directories(filestore / "ab");
    write_text(filestore / "ab" / "abcdef0123", "an attached timesheet PDF");
  }
  static std::filesystem::path repo_dir() { return dir_->path() / "backups"; }
  std::string count(const std::string& tenant) {
    auto db = runtime().postgres_admin({HostRef::Kind::kPool, "main"}, tenant).value();
    return db.query("SELECT count(*) FROM account_analytic_line").value().at(0, 0);
  }
};

TEST_F(BackupTest, BackupRestoresIntoANewTenant) {
  auto made = platform().backup_create("a", "", "manual", kActor);
  ASSERT_TRUE(made.has_value()) << made.error().to_string();
  EXPECT_EQ((*made)["checks"]["timesheets"]["rows"], 5000);
  EXPECT_GT((*made)["plain_bytes"].get<std::uint64_t>(),
            (*made)["stored_bytes"].get<std::uint64_t>());
  // Nothing readable in the repository: compressed and encrypted.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(repo_dir())) {
    if (entry.is_regular_file()) {
      EXPECT_EQ(read_text(entry.path()).find("task 42"), std::string::npos) << entry.path();
    }
  }
  auto restored = platform().restore({"a", "latest", "a-copy"}, kActor);
  ASSERT_TRUE(restored.has_value()) << restored.error().to_string();
  EXPECT_EQ(count("a-copy"), "5000");
  EXPECT_EQ(read_text(runtime().layout().filestore("a-copy") / "ab" / "abcdef0123"),
            "an attached timesheet PDF");
  auto owner =
      runtime()
          .postgres_admin({HostRef::Kind::kPool, "main"}, "a-copy")
          .value()
          .query("SELECT tableowner FROM pg_tables WHERE tablename = 'account_analytic_line'");
  EXPECT_EQ(owner->at(0, 0), "a-copy");
  auto listed = platform().backup_list("a", "").value();
  EXPECT_GE(listed["backups"].size(), 1U);
  auto verified = platform().backup_verify("a", "latest", "", kActor);
  EXPECT_TRUE(verified.has_value()) << verified.error().to_string();
  auto records = platform().catalog().backups().list("tenant/a").value();
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.front().state, "complete");
}

TEST_F(BackupTest, AFlippedBitIsFoundAndNamed) {
  auto made = platform().backup_create("b", "", "manual", kActor).value();
  const std::string id = made["id"];
  const auto object = repo_dir() / "tenants" / "b" / id / "database.dump.zst.enc";
  std::string bytes = read_text(object);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
  write_text(object, bytes);
  auto verified = platform().backup_verify("b", id, "", kActor);
  ASSERT_FALSE(verified.has_value());
  EXPECT_EQ(verified.error().code(), core::ErrorCode::kCorrupt);
  EXPECT_NE(verified.error().message().find("database.dump.zst.enc"), std::string::npos);
  auto restore = platform().restore({"b", id, "b-copy"}, kActor);
  EXPECT_FALSE(restore.has_value());
  auto events = platform().catalog().events().list("tenant/b").value();
  EXPECT_TRUE(std::any_of(events.begin(), events.end(),
                          [](const auto& e) { return e.reason == "BackupCorrupt"; }));
}

TEST_F(BackupTest, TruncationMissingManifestAndWrongKey) {
  auto first = platform().backup_create("a", "", "manual", kActor).value();
  auto second = platform().backup_create("a", "", "manual", kActor).value();
  const auto dir = repo_dir() / "tenants" / "a";
  const auto files = dir / std::string(second["id"]) / "filestore.tar.zst.enc";
  const std::string whole = read_text(files);
  write_text(files, whole.substr(0, whole.size() - 20));
  EXPECT_EQ(platform().backup_verify("a", second["id"], "", kActor).error().code(),
            core::ErrorCode::kCorrupt);
  std::filesystem::remove(dir / std::string(second["id"]) / "manifest");
  std::filesystem::remove(dir / std::string(second["id"]) / "manifest.ballast-meta");
  auto gone = platform().backup_verify("a", second["id"], "", kActor);
  EXPECT_EQ(gone.error().code(), core::ErrorCode::kNotFound);
  EXPECT_NE(gone.error().message().find("has no manifest"), std::string::npos);
  // The earlier backup is untouched and still restores.
  EXPECT_TRUE(platform().backup_verify("a", first["id"], "", kActor).has_value());
  auto& secrets = platform().catalog().secrets();
  const auto right = secrets.get("backup-key/a", "key").value();
  ASSERT_TRUE(secrets.put("backup-key/a", "key", core::SecretBox::generate_key()).has_value());
  auto wrong = platform().backup_verify("a", first["id"], "", kActor);
  EXPECT_EQ(wrong.error().code(), core::ErrorCode::kCorrupt);
  ASSERT_TRUE(secrets.put("backup-key/a", "key", right).has_value());
  EXPECT_TRUE(platform().backup_verify("a", first["id"], "", kActor).has_value());
}

TEST_F(BackupTest, AFullDiskFailsCleanly) {
  const auto small = dir_->path() / "small-disk";
  std::filesystem::create_directories(small);
  if (::mount("tmpfs", small.c_str(), "tmpfs", 0, "size=8k") != 0) {
    GTEST_SKIP() << "cannot mount a small tmpfs here (needs root)";
  }
  auto failed = platform().backup_create("a", "small-disk", "manual", kActor);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code(), core::ErrorCode::kNoSpace) << failed.error().to_string();
  auto records = platform().catalog().backups().list("tenant/a").value();
  EXPECT_EQ(records.front().state, "failed");
  EXPECT_EQ(count("a"), "5000");  // production untouched
  auto partial = backup::PosixRepository::open_root(small).value()->list("");
  EXPECT_TRUE(partial->empty()) << "nothing partial may stay visible";
  ::umount(small.c_str());
}

TEST_F(BackupTest, InPlaceRestoreNeedsConfirmationAndKeepsTheLiveData) {
  auto made = platform().backup_create("b", "", "manual", kActor).value();
  auto db = runtime().postgres_admin({HostRef::Kind::kPool, "main"}, "b").value();
  ASSERT_TRUE(db.exec("CREATE TABLE mistakes (x int)").has_value());
  auto refused = platform().restore({"b", made["id"], "", true, "", "oops"}, kActor);
  EXPECT_EQ(refused.error().code(), core::ErrorCode::kConfirmationRequired);
  auto restored = platform().restore({"b", made["id"], "", true, "b", "bad import"}, kActor);
  ASSERT_TRUE(restored.has_value()) << restored.error().to_string();
  auto after = runtime().postgres_admin({HostRef::Kind::kPool, "main"}, "b").value();
  EXPECT_EQ(after.query("SELECT to_regclass('mistakes') IS NULL")->at(0, 0), "t");
  auto backups = platform().backup_list("b", "").value()["backups"];
  EXPECT_EQ(backups[0]["reason"], "pre-restore");
}

}  // namespace
}  // namespace ballast::testing
