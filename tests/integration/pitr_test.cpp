// Point-in-time recovery of one tenant out of a shared pool, on real PostgreSQL and pgBackRest:
// the scheduler takes the cluster's first full backup and each tenant's backup; rows written
// after the chosen second are absent from the copy, rows before it are there, the file-store
// object Odoo deleted afterwards is back, the neighbour and the live tenant are untouched;
// times outside the window are refused, naming it.
#include <thread>

#include "components/postgres/connection.h"
#include "core/file.h"
#include "platform_fixture.h"

namespace ballast::testing {
namespace {

using runtime::local::HostRef;

const HostRef kMain{HostRef::Kind::kPool, "main"};

class PitrTest : public PlatformFixture {
 protected:
  static void SetUpTestSuite() {
    start(R"(platform:
  name: pitr
  state_dir: state
  ingress: {base_domain: it.test, http: "127.0.0.1:{http}"}
  api: "127.0.0.1:{api}"
repositories:
  - {name: local, type: posix, path: backups}
plans:
  - {name: small, connections: 7}
pools:
  - name: main
    backup:
      repositories: [local]
      schedule: {full: 30d, differential: 30d, incremental: 30d, tenant: 30d, verify: 30d}
tenants:
  - {name: a, pool: main, plan: small}
  - {name: b, pool: main, plan: small}
)");
  }
  static components::postgres::Connection db(const std::string& tenant) {
    return runtime().postgres_admin(kMain, tenant).value();
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

TEST_F(PitrTest, ASandboxLeftByADeadDaemonIsRemoved) {
  const auto left = runtime().layout().root / "sandboxes" / "pool-main-dead";
  std::filesystem::create_directories(left / "data");
  write_text(left / "data" / "PG_VERSION", "15");
  const auto removed = runtime().remove_stale_sandboxes();
  EXPECT_EQ(removed, std::vector<std::string>{"pool-main-dead"});
  EXPECT_FALSE(std::filesystem::exists(left));
}

}  // namespace
}  // namespace ballast::testing
