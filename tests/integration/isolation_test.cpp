// Isolation between tenants on real servers, each a check a customer's auditor would make.
// Every test fails if the isolation it names breaks.
#include <httplib.h>
#include <sys/stat.h>

#include "components/postgres/connection.h"
#include "components/postgres/databases.h"
#include "components/redis/client.h"
#include "core/file.h"
#include "platform_fixture.h"

namespace ballast::testing {
namespace {

namespace pg = components::postgres;
namespace rd = components::redis;
using runtime::local::HostRef;

const HostRef kMain{HostRef::Kind::kPool, "main"};
const HostRef kSolo{HostRef::Kind::kStack, "solo"};

class IsolationTest : public PlatformFixture {
 public:
  // Isolation is the platform's (roles, ACLs, directories, the proxy's own answers): checked
  // without an application, so routed hosts answer the proxy's "not deployed" page whether or
  // not BALLAST_ODOO_SRC is set. AppTest covers routing into Odoo.
  static void SetUpTestSuite() {
    run_without_odoo();
    PlatformFixture::SetUpTestSuite();
  }

 protected:
  core::Secret secret(const std::string& tenant, const std::string& name) {
    return platform().catalog().secrets().get("tenant/" + tenant, name).value();
  }
  core::Result<pg::Connection> connect_as(const std::string& role, const std::string& database,
                                          const HostRef& host = kMain) {
    const auto port = runtime().postgres_port(host).value();
    return pg::Connection::open({"127.0.0.1", port, role, secret(role, "db_password"), database});
  }
  core::Result<rd::Client> redis_as(const std::string& tenant, const HostRef& host = kMain) {
    return rd::Client::connect("127.0.0.1", runtime().redis_port(host).value(), tenant,
                               secret(tenant, "redis_password"));
  }
};

TEST_F(IsolationTest, TenantRoleReachesOnlyItsOwnDatabase) {
  auto own = connect_as("a", "a");
  ASSERT_TRUE(own.has_value()) << own.error().to_string();
  ASSERT_TRUE(own->exec("CREATE TABLE invoices (id int, amount numeric)").has_value());
  ASSERT_TRUE(own->exec("INSERT INTO invoices VALUES (1, 100)").has_value());

  auto other = connect_as("a", "b");
  ASSERT_FALSE(other.has_value());
  EXPECT_EQ(other.error().code(), core::ErrorCode::kUnauthenticated) << other.error().to_string();
  // Odoo needs the empty maintenance database; the templates stay closed.
  EXPECT_TRUE(connect_as("a", "postgres").has_value());
  EXPECT_FALSE(connect_as("a", "template1").has_value());
  EXPECT_FALSE(connect_as("a", "ballast_template").has_value());

  auto b = connect_as("b", "b");
  ASSERT_TRUE(b.has_value());
  // Even inside the cluster, CONNECT on a's database is revoked from PUBLIC.
  auto grants = b->query(
      "SELECT has_database_privilege('a', 'CONNECT'), "
      "has_database_privilege('b', 'CONNECT')");
  ASSERT_TRUE(grants.has_value());
  EXPECT_EQ(grants->at(0, 0), "f");
  EXPECT_EQ(grants->at(0, 1), "t");
}

TEST_F(IsolationTest, ConnectionLimitComesFromThePlan) {
  auto admin = runtime().postgres_admin(kMain).value();
  auto rows = admin.query("SELECT datconnlimit FROM pg_database WHERE datname = 'a'").value();
  EXPECT_EQ(rows.at(0, 0), "7");
}

TEST_F(IsolationTest, RedisUserSeesOnlyItsPrefix) {
  auto a = redis_as("a");
  ASSERT_TRUE(a.has_value()) << a.error().to_string();
  auto b = redis_as("b");
  ASSERT_TRUE(b.has_value());
  EXPECT_FALSE(b->command({"SET", "b:session", "secret-b"})->is_error);
  EXPECT_FALSE(a->command({"SET", "a:session", "secret-a"})->is_error);

  const std::vector<std::vector<std::string>> refused = {
      {"GET", "b:session"},  {"SET", "b:session", "x"},
      {"DEL", "b:session"},  {"SCAN", "0"},
      {"RANDOMKEY"},         {"DBSIZE"},
      {"SELECT", "1"},       {"KEYS", "*"},
      {"FLUSHALL"},          {"CONFIG", "GET", "*"},
      {"SET", "nokey", "x"}, {"PUBLISH", "b:events", "x"},
      {"ACL", "LIST"}};
  for (const auto& command : refused) {
    auto reply = a->command(command);
    ASSERT_TRUE(reply.has_value());
    EXPECT_TRUE(reply->is_error) << command.front() << " was allowed: " << reply->text();
  }
  EXPECT_EQ(a->command({"GET", "a:session"})->text(), "secret-a");
  EXPECT_FALSE(a->command({"PUBLISH", "a:events", "x"})->is_error);
  // The ACL file survives a restart: it is reloaded, not kept in memory only.
  auto acl = core::read_file(runtime().layout().redis_dir(kMain) / "users.acl").value();
  EXPECT_NE(acl.find("user a on"), std::string::npos);
  EXPECT_NE(acl.find("user default off"), std::string::npos);
}

TEST_F(IsolationTest, DedicatedStackIsASeparatePostmaster) {
  auto& sup = runtime().supervisor();
  const auto pool_pid = sup.pid("pool/main/postgres");
  const auto stack_pid = sup.pid("stack/solo/postgres");
  ASSERT_TRUE(pool_pid && stack_pid);
  EXPECT_NE(*pool_pid, *stack_pid);
  EXPECT_NE(runtime().layout().pg_data(kMain), runtime().layout().pg_data(kSolo));
  EXPECT_NE(runtime().postgres_port(kMain).value(), runtime().postgres_port(kSolo).value());
  auto pool_admin = runtime().postgres_admin(kMain).value();
  EXPECT_FALSE(pg::database_exists(pool_admin, "s").value());
  auto stack_admin = runtime().postgres_admin(kSolo).value();
  EXPECT_TRUE(pg::database_exists(stack_admin, "s").value());
  EXPECT_FALSE(pg::database_exists(stack_admin, "a").value());
  EXPECT_TRUE(connect_as("s", "s", kSolo).has_value());
  EXPECT_FALSE(redis_as("s", kMain).has_value());
  auto redis = runtime().redis_admin(kSolo).value();
  EXPECT_EQ(redis.command({"CONFIG", "GET", "maxmemory"})->values.at(1),
            std::to_string(64ULL << 20));
}

TEST_F(IsolationTest, FileStoresArePrivateDirectories) {
  for (const char* t : {"a", "b"}) {
    struct stat st {};
    ASSERT_EQ(::stat(runtime().layout().filestore(t).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700U);
    EXPECT_EQ(st.st_uid, runtime().identity().uid);
  }
  EXPECT_NE(runtime().layout().filestore("a"), runtime().layout().filestore("b"));
}

TEST_F(IsolationTest, ProxyRoutesByHostAndDeniesTheDatabaseManager) {
  httplib::Client client("127.0.0.1", http_port());
  auto get = [&](const std::string& host, const std::string& path = "/") {
    return client.Get(path, httplib::Headers{{"Host", host}});
  };
  auto unknown = get("c.it.test");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_NE(unknown->body.find("Unknown site"), std::string::npos);
  auto a = get("a.it.test:" + std::to_string(http_port()));  // the port is stripped
  EXPECT_EQ(a->status, 503);
  EXPECT_NE(a->body.find("Application not deployed"), std::string::npos);
  EXPECT_EQ(get("WWW.B.TEST")->status, 503);  // hosts are case-insensitive
  EXPECT_EQ(get("a.it.test", "/web/database/manager")->status, 403);
  EXPECT_EQ(get("a.it.test", "/web/database/selector")->status, 403);
}

TEST_F(IsolationTest, RequestRateIsLimitedPerTenantFromThePlan) {
  httplib::Client client("127.0.0.1", http_port());
  int limited = 0;
  for (int i = 0; i < 70; ++i) {  // plan small: 5/s, i.e. 50 per 10 s
    auto r = client.Get("/", httplib::Headers{{"Host", "b.it.test"}});
    if (r && r->status == 429) ++limited;
  }
  EXPECT_GE(limited, 15);
  // Another tenant is not limited by b's traffic.
  EXPECT_EQ(client.Get("/", httplib::Headers{{"Host", "s.it.test"}})->status, 503);
}

}  // namespace
}  // namespace ballast::testing
