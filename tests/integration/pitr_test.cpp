// Point-in-time recovery of one tenant out of a shared pool, on real PostgreSQL and pgBackRest:
// the scheduler takes the cluster's first full backup and each tenant's backup; rows written
// after the chosen second are absent from the copy, rows before it are there, the file-store
// object Odoo deleted afterwards is back, the neighbour and the live tenant are untouched;
// times outside the window are refused, naming it. Retention (GFS) expires old tenant backups
// but never an object-locked copy in the off-site (S3) repository.
#include <algorithm>
#include <thread>

#include "components/pgbackrest/stanza.h"
#include "components/postgres/connection.h"
#include "core/file.h"
#include "harness/s3_server.h"
#include "platform_fixture.h"

namespace ballast::testing {
namespace {

using runtime::local::HostRef;

const HostRef kMain{HostRef::Kind::kPool, "main"};

class PitrTest : public PlatformFixture {
 protected:
  static void SetUpTestSuite() {
    run_without_odoo();  // the tenant databases get hand-made tables, not Odoo's
    s3_ = std::make_unique<S3Server>("pitr-vault", /*tls=*/true);
    ASSERT_TRUE(s3_->is_running()) << s3_->error();
    ::setenv("PITR_S3_KEY", "S3RVER", 1);
    ::setenv("PITR_S3_SECRET", "S3RVER", 1);
    std::string spec = R"(platform:
  name: pitr
  state_dir: state
  ingress: {base_domain: it.test, http: "127.0.0.1:{http}"}
  api: "127.0.0.1:{api}"
repositories:
  - {name: local, type: posix, path: backups}
  - name: vault
    type: s3
    endpoint: "{s3}"
    bucket: pitr-vault
    region: us-east-1
    access_key_id_env: PITR_S3_KEY
    secret_access_key_env: PITR_S3_SECRET
    ca_file: "{ca}"
    object_lock: {mode: compliance, period: 60d}
plans:
  - {name: small, connections: 7}
pools:
  - name: main
    backup:
      repositories: [local]
      schedule: {full: 30d, differential: 30d, incremental: 30d, tenant: 30d, verify: 30d}
  - name: secure
    backup:
      repositories: [vault, local]
      schedule: {full: 30d, differential: 30d, incremental: 30d, tenant: 30d, verify: 30d}
tenants:
  - {name: a, pool: main, plan: small}
  - {name: b, pool: main, plan: small}
  - {name: c, pool: secure, plan: small}
)";
    spec.replace(spec.find("{s3}"), 4, s3_->endpoint());
    spec.replace(spec.find("{ca}"), 4, s3_->ca_file().string());
    start(spec);
  }
  static void TearDownTestSuite() {
    PlatformFixture::TearDownTestSuite();
    s3_.reset();
  }
  static std::unique_ptr<S3Server> s3_;
  static components::postgres::Connection db(const std::string& tenant,
                                             const HostRef& host = kMain) {
    return runtime().postgres_admin(host, tenant).value();
  }
  static std::string count(const std::string& tenant, const std::string& table) {
    return db(tenant).query("SELECT count(*) FROM " + table).value().at(0, 0);
  }
};

TEST_F(PitrTest, OneTenantComesBackAsItWasAtTheChosenSecond) {
  // The scheduler's first run: a full cluster backup, then each tenant's own backup.
  platform().run_schedules();
  auto cluster = platform().cluster_backups("main");
  ASSERT_TRUE(cluster.has_value()) << cluster.error().to_string();
  ASSERT_FALSE(cluster->at("backups").empty());
  EXPECT_EQ(cluster->at("backups")[0]["type"], "full");
  EXPECT_EQ(cluster->at("backups")[0]["state"], "complete") << cluster->dump(2);
  EXPECT_TRUE(cluster->contains("recovery_window"));
  auto own = platform().backup_list("a", "");
  ASSERT_TRUE(own.has_value()) << own.error().to_string();
  EXPECT_FALSE(own->at("backups").empty()) << "the scheduler backs up each tenant too";

  auto a = db("a");
  ASSERT_TRUE(a.exec("CREATE TABLE account_move (id serial primary key, name text)").has_value());
  ASSERT_TRUE(
      a.exec("CREATE TABLE ir_attachment (id serial primary key, store_fname text)").has_value());
  ASSERT_TRUE(
      a.exec("INSERT INTO account_move (name) VALUES ('INV/1'), ('INV/2'), ('INV/3')").has_value());
  ASSERT_TRUE(a.exec("INSERT INTO ir_attachment (store_fname) VALUES ('ab/ab01cd')").has_value());
  const auto filestore = runtime().layout().filestore("a");
  std::filesystem::create_directories(filestore / "ab");
  write_text(filestore / "ab" / "ab01cd", "the signed engagement letter");
  ASSERT_TRUE(db("b").exec("CREATE TABLE note (t text)").has_value());
  ASSERT_TRUE(db("b").exec("INSERT INTO note VALUES ('b before')").has_value());
  platform().run_schedules();  // the keep links the new file, as the daemon does every 30 s

  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const auto target = core::format_rfc3339(core::SystemClock().now());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));

  // After the target: more invoices, the attachment removed and garbage-collected by Odoo,
  // the neighbour keeps writing.
  ASSERT_TRUE(a.exec("INSERT INTO account_move (name) VALUES ('INV/4'), ('INV/5')").has_value());
  ASSERT_TRUE(a.exec("DELETE FROM ir_attachment").has_value());
  std::filesystem::remove(filestore / "ab" / "ab01cd");
  ASSERT_TRUE(db("b").exec("INSERT INTO note VALUES ('b after')").has_value());

  app::RestoreRequest request;
  request.tenant = "a";
  request.as = "a-past";
  request.at = target;
  request.reason = "invoices posted by mistake";
  auto restored = platform().restore(request, kActor);
  ASSERT_TRUE(restored.has_value()) << restored.error().to_string();
  EXPECT_EQ(restored->at("restored_into"), "a-past");
  const auto reached = core::parse_rfc3339(restored->at("recovery_point").get<std::string>());
  ASSERT_TRUE(reached.has_value());
  EXPECT_LE(*reached, *core::parse_rfc3339(target) + std::chrono::seconds(1))
      << "nothing after the target is replayed";

  EXPECT_EQ(count("a-past", "account_move"), "3");
  EXPECT_EQ(count("a-past", "ir_attachment"), "1");
  EXPECT_EQ(core::read_file(runtime().layout().filestore("a-past") / "ab" / "ab01cd").value(),
            "the signed engagement letter")
      << "the file Odoo deleted after the target comes back from the keep";
  EXPECT_EQ(restored->at("filestore")["from_keep"], 1);
  EXPECT_TRUE(restored->at("filestore")["missing"].empty());
  EXPECT_EQ(count("a", "account_move"), "5") << "the live tenant is untouched";
  EXPECT_EQ(count("b", "note"), "2") << "the neighbour is untouched";
  auto copy = db("a-past").query("SELECT tableowner FROM pg_tables WHERE tablename='account_move'");
  EXPECT_EQ(copy.value().at(0, 0), "a-past") << "the copy belongs to its own role";
  EXPECT_TRUE(std::filesystem::is_empty(runtime().layout().root / "sandboxes"))
      << "the sandbox is removed";
}

TEST_F(PitrTest, TimesOutsideTheWindowAreRefusedNamingIt) {
  app::RestoreRequest request;
  request.tenant = "a";
  request.as = "a-too-old";
  request.at = "2001-01-01T00:00:00Z";
  auto old = platform().restore(request, kActor);
  ASSERT_FALSE(old.has_value());
  EXPECT_EQ(old.error().code(), core::ErrorCode::kInvalidArgument);
  EXPECT_NE(old.error().message().find("outside the recovery window"), std::string::npos)
      << old.error().to_string();
  request.at = "yesterday";
  auto garbled = platform().restore(request, kActor);
  ASSERT_FALSE(garbled.has_value());
  EXPECT_NE(garbled.error().hint().find("RFC 3339"), std::string::npos);
  EXPECT_FALSE(platform().catalog().tenants().find("a-too-old").value().has_value())
      << "nothing is created by a refused restore";
}

TEST_F(PitrTest, RetentionExpiresOldBackupsButNeverLockedCopies) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(platform().backup_create("b", "local", "manual", kActor));
  auto local = platform().backup_list("b", "local").value()["backups"];
  const auto n = local.size();
  ASSERT_GE(n, 3U);
  // Two of them go off-site, locked for 60 days.
  for (const auto& b : {local[0], local[1]}) {
    auto copied = platform().backup_copy("b", b["id"], "local", "vault", kActor);
    ASSERT_TRUE(copied.has_value()) << copied.error().to_string();
    EXPECT_FALSE(copied->at("retained_until").get<std::string>().empty());
    EXPECT_GT(copied->at("bytes").get<std::uint64_t>(), 0U);
  }
  auto again = platform().backup_copy("b", "latest", "local", "local", kActor);
  EXPECT_FALSE(again.has_value()) << "a copy onto itself is refused";

  clock_->offset_seconds = 40LL * 24 * 3600;  // forty days later
  auto dry = platform().backup_expire("b", "local", true, kActor);
  ASSERT_TRUE(dry.has_value()) << dry.error().to_string();
  EXPECT_EQ(dry->at("tenants")[0]["expired"].size(), n - 1) << dry->dump(1);
  EXPECT_EQ(platform().backup_list("b", "local").value()["backups"].size(), n)
      << "a dry run deletes nothing";
  auto expired = platform().backup_expire("b", "local", false, kActor);
  ASSERT_TRUE(expired.has_value()) << expired.error().to_string();
  const auto left = platform().backup_list("b", "local").value()["backups"];
  ASSERT_EQ(left.size(), 1U) << "one day's backups, forty days ago: the newest stays";
  EXPECT_EQ(left[0]["id"], local[0]["id"]);

  auto vault = platform().backup_expire("b", "vault", false, kActor);
  ASSERT_TRUE(vault.has_value()) << vault.error().to_string();
  EXPECT_EQ(vault->at("tenants")[0]["locked"].size(), 1U) << vault->dump(1);
  EXPECT_TRUE(vault->at("tenants")[0]["expired"].empty());
  EXPECT_EQ(platform().backup_list("b", "vault").value()["backups"].size(), 2U)
      << "object lock wins over retention";
  clock_->offset_seconds = 0;

  // The off-site store goes away mid-way: a clear error, nothing half-visible, an event.
  s3_->stop();
  auto unreachable = platform().backup_copy("b", "latest", "local", "vault", kActor);
  ASSERT_TRUE(s3_->start()) << s3_->error();
  ASSERT_FALSE(unreachable.has_value());
  EXPECT_EQ(unreachable.error().code(), core::ErrorCode::kUnavailable)
      << unreachable.error().to_string();
  EXPECT_EQ(platform().backup_list("b", "vault").value()["backups"].size(), 2U);
  auto events = platform().catalog().events().list("tenant/b", 20).value();
  EXPECT_TRUE(std::any_of(events.begin(), events.end(),
                          [](const auto& e) { return e.reason == "BackupCopyFailed"; }));

  // The off-site copy restores like the original.
  app::RestoreRequest request;
  request.tenant = "b";
  request.as = "b-from-vault";
  request.repository = "vault";
  request.to = local[1]["id"];
  auto restored = platform().restore(request, kActor);
  ASSERT_TRUE(restored.has_value()) << restored.error().to_string();
  EXPECT_EQ(restored->at("backup"), local[1]["id"]);
}

TEST_F(PitrTest, ArchiveAndRecoveryOverTlsFromS3) {
  // pgBackRest talks to the S3 store only over TLS, checking the certificate for "localhost".
  const HostRef secure{HostRef::Kind::kPool, "secure"};
  auto full = platform().cluster_backup("secure", "full", kActor);
  ASSERT_TRUE(full.has_value()) << full.error().to_string();
  EXPECT_EQ(full->at("type"), "full");
  // The pool's policy names two repositories: the backup went to both.
  ASSERT_EQ(full->at("repositories").size(), 2U) << full->dump();
  EXPECT_EQ(full->at("repositories")[0].at("repository"), "vault");
  EXPECT_EQ(full->at("repositories")[1].at("repository"), "local");
  for (const auto& copy : full->at("repositories"))
    EXPECT_FALSE(copy.value("label", "").empty()) << copy.dump();
  auto only_local = platform().cluster_backup("secure", "incr", kActor, "local");
  ASSERT_TRUE(only_local.has_value()) << only_local.error().to_string();
  ASSERT_EQ(only_local->at("repositories").size(), 1U);
  EXPECT_EQ(only_local->at("repositories")[0].at("repository"), "local");
  auto stanza = runtime().stanza(secure);
  ASSERT_TRUE(stanza.has_value());
  auto info = components::pgbackrest::info(*stanza, runtime().identity());
  ASSERT_TRUE(info.has_value()) << info.error().to_string();
  EXPECT_GE(info->in_repo(1).size(), 1U) << "vault holds the full backup";
  EXPECT_GE(info->in_repo(2).size(), 2U) << "local holds the full and the incremental";
  auto unknown = platform().cluster_backup("secure", "incr", kActor, "elsewhere");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_NE(unknown.error().hint().find("vault, local"), std::string::npos)
      << unknown.error().hint();
  // Both repositories hold every WAL segment of their window.
  ASSERT_TRUE(platform().backup_create("c", "vault", "test", kActor).has_value());
  auto verified = platform().backup_verify("c", "", "vault", kActor);
  ASSERT_TRUE(verified.has_value()) << verified.error().to_string();
  const auto& wal = verified->at("wal");
  ASSERT_EQ(wal.at("repositories").size(), 2U) << wal.dump();
  for (const auto& r : wal.at("repositories")) {
    EXPECT_TRUE(r.value("checked", false)) << r.dump();
    EXPECT_GE(r.value("segments", 0), 1) << r.dump();
    EXPECT_EQ(r.value("missing_count", 1), 0) << r.dump();
  }
  auto c = db("c", secure);
  ASSERT_TRUE(c.exec("CREATE TABLE hr_timesheet (hours numeric)").has_value());
  ASSERT_TRUE(c.exec("INSERT INTO hr_timesheet VALUES (7.5), (8)").has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const auto target = core::format_rfc3339(core::SystemClock().now());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_TRUE(c.exec("DROP TABLE hr_timesheet").has_value());  // the mistake

  app::RestoreRequest request;
  request.tenant = "c";
  request.as = "c-before-drop";
  request.at = target;
  auto restored = platform().restore(request, kActor);
  ASSERT_TRUE(restored.has_value()) << restored.error().to_string();
  EXPECT_EQ(
      db("c-before-drop", secure).query("SELECT sum(hours) FROM hr_timesheet").value().at(0, 0),
      "15.5");
}

TEST_F(PitrTest, AFileLostFromTheHostComesBackFromTheRepository) {
  auto b = db("b");
  ASSERT_TRUE(
      b.exec("CREATE TABLE ir_attachment (id serial primary key, store_fname text)").has_value());
  ASSERT_TRUE(b.exec("INSERT INTO ir_attachment (store_fname) VALUES ('cd/cd02ef')").has_value());
  const auto live = runtime().layout().filestore("b") / "cd" / "cd02ef";
  std::filesystem::create_directories(live.parent_path());
  write_text(live, "a timesheet export");
  platform().run_schedules();  // kept, and uploaded encrypted to the pool's repository
  const auto stored = dir_->path() / "backups" / "filestore" / "b" / "cd" / "cd02ef";
  ASSERT_TRUE(std::filesystem::exists(stored));
  EXPECT_EQ(core::read_file(stored).value().find("a timesheet export"), std::string::npos)
      << "stored encrypted";
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const auto target = core::format_rfc3339(core::SystemClock().now());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  // The file is deleted, and the host's keep is lost too (a disk gone).
  ASSERT_TRUE(b.exec("DELETE FROM ir_attachment").has_value());
  std::filesystem::remove(live);
  std::filesystem::remove_all(runtime().layout().root / "filestore-keep" / "b");

  app::RestoreRequest request;
  request.tenant = "b";
  request.as = "b-then";
  request.at = target;
  auto restored = platform().restore(request, kActor);
  ASSERT_TRUE(restored.has_value()) << restored.error().to_string();
  EXPECT_EQ(restored->at("filestore")["from_repository"], 1) << restored->dump(1);
  EXPECT_EQ(core::read_file(runtime().layout().filestore("b-then") / "cd" / "cd02ef").value(),
            "a timesheet export");
}

// Runs after the other recoveries of pool main: it damages that pool's archive.
TEST_F(PitrTest, AMissingWalSegmentStopsRecoveryNamingIt) {
  ASSERT_TRUE(platform().backup_create("a", "local", "test", kActor).has_value());
  auto a = db("a");
  ASSERT_TRUE(a.exec("INSERT INTO account_move (name) VALUES ('INV/6')").has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const auto target = core::format_rfc3339(core::SystemClock().now());
  ASSERT_TRUE(runtime().archive_now(kMain).has_value());
  // The newest archived segment (holding INV/6) disappears from the repository.
  std::vector<std::filesystem::path> segments;
  // Pool main's archive (pool secure archives to the same repository too).
  for (const auto& e : std::filesystem::recursive_directory_iterator(
           dir_->path() / "backups" / "pgbackrest" / "archive" / "pool-main")) {
    const auto name = e.path().filename().string();
    if (e.is_regular_file() && name.size() > 24 && name.find(".backup") == std::string::npos &&
        name.find("archive.info") == std::string::npos)
      segments.push_back(e.path());
  }
  ASSERT_FALSE(segments.empty());
  std::sort(segments.begin(), segments.end(),
            [](const auto& x, const auto& y) { return x.filename() < y.filename(); });
  const auto missing = segments.back().filename().string().substr(0, 24);
  std::filesystem::remove(segments.back());

  // `backup verify` finds the gap before anyone needs the window.
  auto verified = platform().backup_verify("a", "", "", kActor);
  ASSERT_FALSE(verified.has_value());
  EXPECT_EQ(verified.error().code(), core::ErrorCode::kCorrupt) << verified.error().to_string();
  EXPECT_NE(verified.error().message().find(missing), std::string::npos)
      << "names the segment " << missing << ": " << verified.error().to_string();

  app::RestoreRequest request;
  request.tenant = "a";
  request.as = "a-gap";
  request.at = target;
  auto restored = platform().restore(request, kActor);
  ASSERT_FALSE(restored.has_value());
  EXPECT_EQ(restored.error().code(), core::ErrorCode::kCorrupt) << restored.error().to_string();
  EXPECT_NE(restored.error().message().find(missing), std::string::npos)
      << "names the segment " << missing << ": " << restored.error().to_string();
  EXPECT_TRUE(std::filesystem::is_empty(runtime().layout().root / "sandboxes"));
  EXPECT_EQ(count("a", "account_move"), "6") << "production untouched";
  auto events = platform().catalog().events().list("tenant/a", 50);
  ASSERT_TRUE(events.has_value());
  bool recorded = false;
  for (const auto& e : *events) recorded = recorded || e.reason == "RestoreFailed";
  EXPECT_TRUE(recorded);
}

TEST_F(PitrTest, ASandboxLeftByADeadDaemonIsRemoved) {
  const auto left = runtime().layout().root / "sandboxes" / "pool-main-dead";
  std::filesystem::create_directories(left / "data");
  write_text(left / "data" / "PG_VERSION", "15");
  const auto removed = runtime().remove_stale_sandboxes();
  EXPECT_EQ(removed, std::vector<std::string>{"pool-main-dead"});
  EXPECT_FALSE(std::filesystem::exists(left));
}

std::unique_ptr<S3Server> PitrTest::s3_;

}  // namespace
}  // namespace ballast::testing
