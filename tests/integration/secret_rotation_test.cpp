// `ballast secret rotate` on real PostgreSQL, Redis and HAProxy with the Odoo stand-in (or real
// Odoo 18 when BALLAST_ODOO_SRC points to it): after a rotation the new secret works where it
// is used, Odoo still serves the tenant, and the old secret is refused.
#include <chrono>
#include <iostream>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "components/postgres/connection.h"
#include "components/redis/client.h"
#include "core/crypto.h"
#include "core/file.h"
#include "platform_fixture.h"

namespace ballast::testing {
namespace {

namespace pg = components::postgres;
namespace rd = components::redis;
using reconcile::TenantSecret;
using runtime::local::HostRef;

const HostRef kMain{HostRef::Kind::kPool, "main"};

class SecretRotationTest : public PlatformFixture {
 public:
  static void SetUpTestSuite() {
    use_odoo_standin_unless_set();
    PlatformFixture::SetUpTestSuite();
  }

 protected:
  static core::Secret secret(const std::string& tenant, const std::string& name) {
    return platform().catalog().secrets().get("tenant/" + tenant, name).value();
  }
  static core::Result<pg::Connection> connect_as(const std::string& role,
                                                 const core::Secret& password) {
    const auto port = runtime().postgres_port(kMain).value();
    return pg::Connection::open({"127.0.0.1", port, role, password, role});
  }
  // An admin login through HAProxy and Odoo: Odoo reached its database with its config.
  static bool odoo_serves(const std::string& tenant) {
    httplib::Client client("127.0.0.1", http_port());
    client.set_read_timeout(60, 0);
    const nlohmann::json body = {{"jsonrpc", "2.0"},
                                 {"method", "call"},
                                 {"id", 1},
                                 {"params",
                                  {{"db", tenant},
                                   {"login", "admin"},
                                   {"password", secret(tenant, "odoo_admin_password").reveal()}}}};
    auto r = client.Post("/web/session/authenticate", {{"Host", tenant + ".it.test"}}, body.dump(),
                         "application/json");
    if (!r || r->status != 200) return false;
    const auto answer = nlohmann::json::parse(r->body, nullptr, false);
    return answer.is_object() && answer.contains("result");
  }
  static std::string conf_value(const std::string& tenant, const std::string& key) {
    const auto text = core::read_file(runtime().layout().tenant_dir(tenant) / "odoo.conf").value();
    const auto at = text.find("\n" + key + " = ");
    if (at == std::string::npos) return "";
    const auto from = at + key.size() + 4;
    return text.substr(from, text.find('\n', from) - from);
  }
};

TEST_F(SecretRotationTest, ANewDatabasePasswordWorksForOdooAndTheOldOneIsRefused) {
  ASSERT_TRUE(odoo_serves("a"));
  const core::Secret old_password = secret("a", "db_password");
  auto open_session = connect_as("a", old_password);
  ASSERT_TRUE(open_session.has_value()) << open_session.error().to_string();

  const auto began = std::chrono::steady_clock::now();
  auto done = platform().secret_rotate(TenantSecret::kDatabasePassword, "a", "test", kActor);
  ASSERT_TRUE(done.has_value()) << done.error().to_string();
  // The figures docs and notes quote: the whole rotation, and the maintenance-page time in it.
  std::cout << "db-password rotation took "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - began)
                   .count()
            << " ms: " << done->dump() << "\n";
  EXPECT_EQ(done->at("tenants").at(0).at("restarted_app"), true) << done->dump();
  const core::Secret new_password = secret("a", "db_password");
  EXPECT_NE(new_password.reveal(), old_password.reveal());
  EXPECT_EQ(done->dump().find(new_password.reveal()), std::string::npos);

  EXPECT_TRUE(connect_as("a", new_password).has_value());
  auto refused = connect_as("a", old_password);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), core::ErrorCode::kUnauthenticated);
  // A session opened before the rotation is not cut off by it.
  EXPECT_TRUE(open_session->query("SELECT 1").has_value());
  EXPECT_EQ(conf_value("a", "db_password"), new_password.reveal());
  EXPECT_TRUE(odoo_serves("a"));
  EXPECT_TRUE(odoo_serves("b")) << "another tenant is untouched";

  auto rows = platform().catalog().audit().list(0).value();
  ASSERT_FALSE(rows.empty());
  const auto& last = rows.back();
  EXPECT_EQ(last.action, "secret.rotate");
  EXPECT_EQ(last.target, "tenant/a/db-password");
  for (const auto& row : rows) {
    EXPECT_EQ(row.detail.find(new_password.reveal()), std::string::npos);
    EXPECT_EQ(row.detail.find(old_password.reveal()), std::string::npos);
  }
}

TEST_F(SecretRotationTest, ANewRedisPasswordIsLoadedWithoutARestart) {
  const auto port = runtime().redis_port(kMain).value();
  const core::Secret old_password = secret("b", "redis_password");
  ASSERT_TRUE(rd::Client::connect("127.0.0.1", port, "b", old_password).has_value());
  const auto odoo_pid = runtime().supervisor().pid("tenant/b/odoo");

  auto done = platform().secret_rotate(TenantSecret::kRedisPassword, "b", "", kActor);
  ASSERT_TRUE(done.has_value()) << done.error().to_string();
  EXPECT_EQ(done->at("tenants").at(0).at("restarted_app"), false);
  const core::Secret new_password = secret("b", "redis_password");
  auto client = rd::Client::connect("127.0.0.1", port, "b", new_password);
  ASSERT_TRUE(client.has_value()) << client.error().to_string();
  EXPECT_FALSE(client->command({"SET", "b:after-rotation", "1"})->is_error);
  EXPECT_FALSE(rd::Client::connect("127.0.0.1", port, "b", old_password).has_value());
  EXPECT_EQ(runtime().supervisor().pid("tenant/b/odoo"), odoo_pid);
  // The ACL file holds the new password's hash (never the password), so a restart keeps it.
  const auto acl = core::read_file(runtime().layout().redis_dir(kMain) / "users.acl").value();
  EXPECT_NE(acl.find(core::sha256_hex(new_password.reveal())), std::string::npos);
  EXPECT_EQ(acl.find(core::sha256_hex(old_password.reveal())), std::string::npos);
  EXPECT_EQ(acl.find(new_password.reveal()), std::string::npos);
}

TEST_F(SecretRotationTest, OdoosMasterPasswordIsRewrittenAndOdooRestarted) {
  const std::string old_master = conf_value("tight", "admin_passwd");
  ASSERT_FALSE(old_master.empty());
  auto done = platform().secret_rotate(TenantSecret::kOdooMasterPassword, "tight", "audit", kActor);
  ASSERT_TRUE(done.has_value()) << done.error().to_string();
  EXPECT_EQ(done->at("tenants").at(0).at("restarted_app"), true);
  EXPECT_EQ(conf_value("tight", "admin_passwd"), secret("tight", "odoo_master_password").reveal());
  EXPECT_NE(conf_value("tight", "admin_passwd"), old_master);
  EXPECT_TRUE(odoo_serves("tight"));
}

TEST_F(SecretRotationTest, AnUnknownTenantIsRefusedAndAudited) {
  auto done = platform().secret_rotate(TenantSecret::kDatabasePassword, "nope", "", kActor);
  ASSERT_FALSE(done.has_value());
  EXPECT_EQ(done.error().code(), core::ErrorCode::kNotFound);
  auto rows = platform().catalog().audit().list(0).value();
  EXPECT_EQ(rows.back().target, "tenant/nope/db-password");
  EXPECT_NE(rows.back().outcome, "ok");
}

}  // namespace
}  // namespace ballast::testing
