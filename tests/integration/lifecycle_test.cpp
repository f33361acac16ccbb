// Tenant lifecycle and self-repair on real servers: apply is idempotent, drift is found and
// repaired, killed components come back, suspension and deletion do what they say.
#include <csignal>

#include <httplib.h>

#include "components/haproxy/runtime_api.h"
#include "components/postgres/connection.h"
#include "components/postgres/databases.h"
#include "components/redis/client.h"
#include "platform_fixture.h"

namespace ballast::testing {
namespace {

namespace pg = components::postgres;
namespace rd = components::redis;
using runtime::local::HostRef;

const HostRef kMain{HostRef::Kind::kPool, "main"};

class LifecycleTest : public PlatformFixture {
 public:
  static void SetUpTestSuite() {
    run_without_odoo();
    PlatformFixture::SetUpTestSuite();
  }

 protected:
  int status_of(const std::string& host) {
    httplib::Client client("127.0.0.1", http_port());
    auto r = client.Get("/", httplib::Headers{{"Host", host}});
    return r ? r->status : -1;
  }
  bool has_event(const std::string& subject, const std::string& reason) {
    auto events = platform().catalog().events().list(subject).value();
    return std::any_of(events.begin(), events.end(),
                       [&](const auto& e) { return e.reason == reason; });
  }
};

TEST_F(LifecycleTest, ApplyTwiceIsANoOp) {
  auto plan = platform().plan();
  ASSERT_TRUE(plan.has_value()) << plan.error().to_string();
  EXPECT_TRUE(plan->is_noop()) << reconcile::to_text(*plan);
  auto report = platform().apply(nullptr, {}, kActor);
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->results.empty()) << reconcile::to_text(*report);
}

TEST_F(LifecycleTest, DriftIsDetectedAndRepaired) {
  auto admin = runtime().postgres_admin(kMain).value();
  ASSERT_TRUE(admin.exec("REASSIGN OWNED BY \"b\" TO ballast_admin").has_value());
  ASSERT_TRUE(pg::drop_role(admin, "b").has_value());
  const auto proxy = runtime().layout().proxy_dir() / "maps" / "hosts.map";
  const components::haproxy::RuntimeApi api(runtime().layout().proxy_socket());
  ASSERT_TRUE(api.send("del map " + proxy.string() + " www.b.test").has_value());
  EXPECT_EQ(status_of("www.b.test"), 404);

  auto plan = platform().plan().value();
  std::vector<std::string> repairs;
  for (const auto& a : plan.actions) repairs.push_back(a.target);
  EXPECT_EQ(repairs, (std::vector<std::string>{"database role", "route www.b.test"}))
      << reconcile::to_text(plan);

  auto report = platform().apply(nullptr, {}, kActor).value();
  EXPECT_TRUE(report.is_ok()) << reconcile::to_text(report);
  EXPECT_TRUE(platform().plan()->is_noop());
  EXPECT_TRUE(pg::role_exists(admin, "b").value());
  EXPECT_EQ(status_of("www.b.test"), 503);
  auto owner = admin.query("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname='b'");
  EXPECT_EQ(owner->at(0, 0), "b");
}

TEST_F(LifecycleTest, KilledComponentsComeBackWithAnEvent) {
  auto& sup = runtime().supervisor();
  for (const std::string name : {"pool/main/postgres", "pool/main/redis", "platform/haproxy"}) {
    const auto before = sup.pid(name);
    ASSERT_TRUE(before.has_value()) << name;
    ASSERT_EQ(::kill(*before, SIGKILL), 0);
    const bool back = poll_until([&] { return sup.pid(name) != before && sup.is_running(name); },
                                 std::chrono::seconds(20));
    EXPECT_TRUE(back) << name << " was not restarted";
    EXPECT_TRUE(has_event("component/" + name, "ComponentExited")) << name;
    EXPECT_TRUE(has_event("component/" + name, "ComponentRestarted")) << name;
  }
  // Everything works again, including routes (maps reloaded from the files on disk).
  EXPECT_TRUE(poll_until([&] { return status_of("a.it.test") == 503; }, std::chrono::seconds(10)));
  EXPECT_TRUE(runtime().postgres_admin(kMain).has_value());
  EXPECT_TRUE(platform().plan()->is_noop());
}

TEST_F(LifecycleTest, SuspendStopsServingAndKeepsData) {
  auto admin = runtime().postgres_admin(kMain, "a").value();
  ASSERT_TRUE(admin.exec("CREATE TABLE IF NOT EXISTS kept (v text)").has_value());
  ASSERT_TRUE(admin.exec("INSERT INTO kept VALUES ('still here')").has_value());
  ASSERT_TRUE(platform().tenant_suspend("a", kActor).has_value());
  httplib::Client client("127.0.0.1", http_port());
  auto page = client.Get("/", httplib::Headers{{"Host", "a.it.test"}});
  EXPECT_EQ(page->status, 503);
  EXPECT_NE(page->body.find("Service suspended"), std::string::npos);
  const auto password = platform().catalog().secrets().get("tenant/a", "redis_password").value();
  EXPECT_FALSE(rd::Client::connect("127.0.0.1", runtime().redis_port(kMain).value(), "a", password)
                   .has_value());
  EXPECT_TRUE(platform().plan()->is_noop()) << "a suspended tenant is not drift";

  ASSERT_TRUE(platform().tenant_resume("a", kActor).has_value());
  EXPECT_NE(client.Get("/", httplib::Headers{{"Host", "a.it.test"}})->body.find("not deployed"),
            std::string::npos);
  EXPECT_TRUE(rd::Client::connect("127.0.0.1", runtime().redis_port(kMain).value(), "a", password)
                  .has_value());
  // Suspension cut the sessions that were open; new ones are allowed again after resume.
  EXPECT_FALSE(admin.query("SELECT 1").has_value());
  auto rows = runtime().postgres_admin(kMain, "a").value().query("SELECT v FROM kept");
  ASSERT_TRUE(rows.has_value());
  EXPECT_EQ(rows->at(0, 0), "still here");
}

TEST_F(LifecycleTest, DomainsChangeWithoutAReload) {
  const auto haproxy = runtime().supervisor().pid("platform/haproxy");
  ASSERT_TRUE(platform().tenant_add_domain("a", "erp.a.test", kActor).has_value());
  EXPECT_EQ(status_of("erp.a.test"), 503);
  ASSERT_TRUE(platform().tenant_remove_domain("a", "erp.a.test", kActor).has_value());
  EXPECT_EQ(status_of("erp.a.test"), 404);
  EXPECT_EQ(runtime().supervisor().pid("platform/haproxy"), haproxy);
  auto taken = platform().tenant_add_domain("a", "www.b.test", kActor);
  EXPECT_EQ(taken.error().code(), core::ErrorCode::kConflict);
}

TEST_F(LifecycleTest, OverQuotaTenantsGetAWarning) {
  EXPECT_TRUE(
      poll_until([&] { return has_event("tenant/tight", "OverQuota"); }, std::chrono::seconds(10)));
  auto shown = platform().tenant_show("tight").value();
  EXPECT_TRUE(shown["usage"]["over_quota"].get<bool>());
}

TEST_F(LifecycleTest, ApiTenantsSurviveApplyAndDeleteGoesToTheTrash) {
  auto created = platform().tenant_create({{"name", "adhoc"}, {"plan", "small"}}, kActor);
  ASSERT_TRUE(created.has_value()) << created.error().to_string();
  EXPECT_EQ((*created)["origin"], "api");
  EXPECT_EQ((*created)["domains"][0], "adhoc.it.test");
  auto report = platform().apply(nullptr, {true}, kActor).value();
  EXPECT_TRUE(report.results.empty()) << "apply must not delete a tenant the API created";

  auto refused = platform().tenant_delete("adhoc", {"wrong", "test"}, kActor);
  EXPECT_EQ(refused.error().code(), core::ErrorCode::kConfirmationRequired);
  auto deleted = platform().tenant_delete("adhoc", {"adhoc", "end of contract"}, kActor);
  ASSERT_TRUE(deleted.has_value()) << deleted.error().to_string();
  const std::filesystem::path trash = (*deleted)["trash"].get<std::string>();
  EXPECT_TRUE(std::filesystem::exists(trash / "database.dump"));
  EXPECT_TRUE(std::filesystem::exists(trash / "tenant" / "odoo" / "filestore" / "adhoc"));
  EXPECT_TRUE(std::filesystem::exists(trash / "manifest.json"));
  auto admin = runtime().postgres_admin(kMain).value();
  EXPECT_FALSE(pg::database_exists(admin, "adhoc").value());
  EXPECT_FALSE(pg::role_exists(admin, "adhoc").value());
  EXPECT_EQ(status_of("adhoc.it.test"), 404);
  auto audit = platform().catalog().audit().list().value();
  const auto& last = audit.back();
  EXPECT_EQ(last.action, "tenant.delete");
  EXPECT_NE(last.detail.find("end of contract"), std::string::npos);
  EXPECT_TRUE(platform().catalog().audit().verify()->is_intact);
}

}  // namespace
}  // namespace ballast::testing
