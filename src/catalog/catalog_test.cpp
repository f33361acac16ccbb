#include "catalog/catalog.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/file.h"

namespace ballast::catalog {
namespace {

namespace fs = std::filesystem;

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("ballast-catalog-" + core::hex_encode(core::random_bytes(4)));
    catalog_ = Catalog::open(dir_, clock_, OpenMode::kCreate).value();
  }
  void TearDown() override {
    catalog_.reset();
    fs::remove_all(dir_);
  }
  // Runs SQL on the catalog through a second connection, as someone editing the file would.
  void tamper(const std::string& sql) {
    auto other = Database::open(dir_ / kCatalogFile).value();
    auto guard = other->lock();
    ASSERT_TRUE(other->exec(sql).has_value());
  }

  core::ManualClock clock_{core::from_unix_seconds(1'790'000'000)};
  fs::path dir_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(CatalogTest, CreatesStateWithPrivateModes) {
  struct stat st {};
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700U);
  ASSERT_EQ(::stat((dir_ / kMasterKeyFile).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  EXPECT_EQ(catalog_->db().integrity_check().value(), "ok");
}

TEST_F(CatalogTest, StoresTenants) {
  TenantRecord t;
  t.name = "acme";
  t.pool = "main";
  t.plan = "small";
  t.domains = {"acme.example.test"};
  ASSERT_TRUE(catalog_->tenants().save(t).has_value());
  t.plan = "large";
  ASSERT_TRUE(catalog_->tenants().save(t).has_value());
  auto stored = catalog_->tenants().get("acme").value();
  EXPECT_EQ(stored.plan, "large");
  EXPECT_EQ(stored.generation, 2);
  EXPECT_EQ(stored.domains, t.domains);
  EXPECT_EQ(stored.created_at, clock_.now());
  ASSERT_TRUE(catalog_->tenants().set_state("acme", TenantState::kSuspended).has_value());
  EXPECT_EQ(catalog_->tenants().get("acme")->state, TenantState::kSuspended);
  auto missing = catalog_->tenants().get("nobody");
  EXPECT_EQ(missing.error().code(), core::ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().hint(), "Run 'ballast tenant list' to see the tenants.");
}

TEST_F(CatalogTest, SealsSecretsAndRejectsAnotherKey) {
  ASSERT_TRUE(catalog_->secrets()
                  .put("tenant/acme", "db_password", core::Secret("s3cr3t-value"))
                  .has_value());
  EXPECT_EQ(catalog_->secrets().get("tenant/acme", "db_password")->reveal(), "s3cr3t-value");
  catalog_.reset();
  const auto raw = core::read_file(dir_ / kCatalogFile).value() +
                   core::read_file(dir_ / "catalog.db-wal").value_or("");
  EXPECT_EQ(raw.find("s3cr3t-value"), std::string::npos);

  ASSERT_TRUE(
      core::write_file_atomic(dir_ / kMasterKeyFile, core::random_bytes(32), 0600).has_value());
  auto reopened = Catalog::open(dir_, clock_, OpenMode::kExisting).value();
  auto wrong = reopened->secrets().get("tenant/acme", "db_password");
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code(), core::ErrorCode::kCorrupt);
  EXPECT_EQ(wrong.error().message().find("s3cr3t"), std::string::npos);
}

TEST_F(CatalogTest, KeepsAllocatedPortsAcrossReopen) {
  const auto port = catalog_->components().allocate_port("pool/main/postgres").value();
  EXPECT_GT(port, 0);
  EXPECT_EQ(catalog_->components().allocate_port("pool/main/postgres").value(), port);
  EXPECT_NE(catalog_->components().allocate_port("pool/main/redis").value(), port);
  catalog_.reset();
  auto reopened = Catalog::open(dir_, clock_, OpenMode::kExisting).value();
  EXPECT_EQ(reopened->components().recorded_port("pool/main/postgres").value(), port);
  auto clash = reopened->components().allocate_port("pool/other/postgres", port);
  EXPECT_EQ(clash.error().code(), core::ErrorCode::kConflict);
}

TEST_F(CatalogTest, RecordsEventsNewestFirst) {
  auto& events = catalog_->events();
  ASSERT_TRUE(events.record(EventLevel::kNormal, "tenant/a", "Created", "created").has_value());
  ASSERT_TRUE(events.record(EventLevel::kWarning, "tenant/b", "OverQuota", "db").has_value());
  ASSERT_TRUE(events.record(EventLevel::kNormal, "tenant/a", "Suspended", "x").has_value());
  auto a = events.list("tenant/a").value();
  ASSERT_EQ(a.size(), 2U);
  EXPECT_EQ(a[0].reason, "Suspended");
  EXPECT_EQ(events.list().value().size(), 3U);
}

class AuditTest : public CatalogTest {
 protected:
  void SetUp() override {
    CatalogTest::SetUp();
    for (int i = 1; i <= 5; ++i) {
      AuditEntry e{.actor = "token:t1",
                   .action = "tenant.create",
                   .target = fmt::format("tenant/t{}", i),
                   .outcome = "ok"};
      ASSERT_TRUE(catalog_->audit().append(e).has_value());
      clock_.advance(std::chrono::seconds(1));
    }
  }
};

TEST_F(AuditTest, IntactChainVerifies) {
  auto report = catalog_->audit().verify().value();
  EXPECT_TRUE(report.is_intact);
  EXPECT_EQ(report.rows, 5);
  EXPECT_EQ(catalog_->audit().list(3).value().size(), 2U);
}

TEST_F(AuditTest, AppendOnlyTriggersRefuseEdits) {
  auto guard = catalog_->db().lock();
  EXPECT_FALSE(catalog_->db().exec("UPDATE audit SET actor = 'x' WHERE seq = 2").has_value());
  EXPECT_FALSE(catalog_->db().exec("DELETE FROM audit WHERE seq = 2").has_value());
}

TEST_F(AuditTest, DetectsAnEditedRow) {
  tamper(
      "DROP TRIGGER audit_append_only_update; UPDATE audit SET target = 'tenant/evil' WHERE seq = "
      "3");
  auto report = catalog_->audit().verify().value();
  EXPECT_FALSE(report.is_intact);
  ASSERT_EQ(report.problems.size(), 1U);
  EXPECT_EQ(report.problems[0], "row 3: content does not match its hash (edited)");
}

TEST_F(AuditTest, DetectsADeletedRow) {
  tamper("DROP TRIGGER audit_append_only_delete; DELETE FROM audit WHERE seq = 2");
  auto report = catalog_->audit().verify().value();
  EXPECT_FALSE(report.is_intact);
  EXPECT_EQ(report.problems.at(0), "row 3: expected row 2 next: rows 2–2 are missing");
}

TEST_F(AuditTest, DetectsRemovedNewestRows) {
  tamper("DROP TRIGGER audit_append_only_delete; DELETE FROM audit WHERE seq >= 4");
  auto report = catalog_->audit().verify().value();
  EXPECT_FALSE(report.is_intact);
  EXPECT_EQ(report.problems.at(0),
            "the newest rows are missing: audit.head records row 5 but the chain ends at row 3");
}

TEST(CatalogOpen, ExplainsMissingAndCorruptState) {
  core::SystemClock clock;
  const auto dir =
      fs::temp_directory_path() / ("ballast-catalog-" + core::hex_encode(core::random_bytes(4)));
  auto missing = Catalog::open(dir, clock, OpenMode::kExisting);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), core::ErrorCode::kNotFound);
  ASSERT_TRUE(core::ensure_dir(dir, 0700).has_value());
  ASSERT_TRUE(core::write_file_atomic(dir / kCatalogFile, std::string(4096, 'x')).has_value());
  auto corrupt = Catalog::open(dir, clock, OpenMode::kExisting);
  ASSERT_FALSE(corrupt.has_value());
  EXPECT_EQ(corrupt.error().code(), core::ErrorCode::kCorrupt);
  EXPECT_NE(corrupt.error().hint().find("Restore the state directory"), std::string::npos);
  fs::remove_all(dir);
}

TEST_F(CatalogTest, KeepsDrillsAndCountsJourneyFailuresInARow) {
  auto& store = catalog_->continuity();
  DrillRecord drill{"d1", "acme", clock_.now()};
  ASSERT_TRUE(store.save_drill(drill).has_value());
  ASSERT_EQ(store.unfinished_drills().value().size(), 1U);
  drill.state = "failed";
  drill.finished_at = clock_.now();
  drill.detail = {{"reasons", {"RTO 90 s over the target of 60 s"}}};
  ASSERT_TRUE(store.save_drill(drill).has_value());
  EXPECT_TRUE(store.unfinished_drills().value().empty());
  auto listed = store.drills("acme").value();
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_EQ(listed[0].state, "failed");
  EXPECT_EQ(listed[0].detail["reasons"][0], "RTO 90 s over the target of 60 s");
  EXPECT_TRUE(store.drills("other").value().empty());

  for (bool ok : {true, false, false, false}) {
    ASSERT_TRUE(
        store.record_journey({"acme", clock_.now(), "production", "invoice", ok}).has_value());
  }
  ASSERT_TRUE(
      store.record_journey({"acme", clock_.now(), "production", "login", true}).has_value());
  ASSERT_TRUE(store.record_journey({"acme", clock_.now(), "drill", "invoice", true}).has_value());
  EXPECT_EQ(store.consecutive_failures("acme", "invoice").value(), 3);
  EXPECT_EQ(store.consecutive_failures("acme", "login").value(), 0);
  auto latest = store.latest_journeys("acme").value();
  ASSERT_EQ(latest.size(), 2U);
  EXPECT_EQ(latest[0].journey, "invoice");
  EXPECT_FALSE(latest[0].ok);
  EXPECT_EQ(store.latest_journeys("acme", "drill").value().size(), 1U);
}

}  // namespace
}  // namespace ballast::catalog
