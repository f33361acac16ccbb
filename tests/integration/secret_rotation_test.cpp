// `ballast secret rotate` on real PostgreSQL, Redis and HAProxy with the Odoo stand-in (or real
// Odoo 18 when BALLAST_ODOO_SRC points to it): after a rotation the new secret works where it
// is used, Odoo still serves the tenant, and the old secret is refused.
#include <chrono>
#include <iostream>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "components/postgres/connection.h"
#include "components/postgres/databases.h"
#include "components/redis/client.h"
#include "components/redis/server.h"
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

TEST_F(SecretRotationTest, APostgresAdminPasswordRotatesAndTheOldOneIsRefused) {
  const auto scope = kMain.owner();
  const core::Secret old_password =
      platform().catalog().secrets().get(scope, "postgres_admin_password").value();
  const auto port = runtime().postgres_port(kMain).value();
  auto as_admin = [&](const core::Secret& password) {
    return pg::Connection::open({"127.0.0.1", port, pg::kAdminRole, password, "postgres"});
  };
  auto open_session = as_admin(old_password);
  ASSERT_TRUE(open_session.has_value()) << open_session.error().to_string();

  auto done =
      platform().secret_rotate_platform("postgres-admin-password", "main", "", "test", kActor);
  ASSERT_TRUE(done.has_value()) << done.error().to_string();
  EXPECT_EQ(done->at("clusters"), nlohmann::json::array({"pool/main"})) << done->dump();
  const core::Secret new_password =
      platform().catalog().secrets().get(scope, "postgres_admin_password").value();
  EXPECT_NE(new_password.reveal(), old_password.reveal());
  EXPECT_EQ(done->dump().find(new_password.reveal()), std::string::npos);
  EXPECT_TRUE(as_admin(new_password).has_value());
  auto refused = as_admin(old_password);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), core::ErrorCode::kUnauthenticated);
  EXPECT_TRUE(open_session->query("SELECT 1").has_value());
  EXPECT_FALSE(platform().catalog().secrets().get(scope, "postgres_admin_password.next"));
  // Every consumer reads it from the catalog: the daemon's own connections, pg_dump in a
  // backup, pgBackRest's stanza.
  EXPECT_TRUE(runtime().postgres_admin(kMain).has_value());
  auto backup = platform().backup_create("a", "", "manual", kActor);
  EXPECT_TRUE(backup.has_value()) << backup.error().to_string();
  EXPECT_EQ(runtime().stanza(kMain)->pg_password.reveal(), new_password.reveal());
  EXPECT_TRUE(odoo_serves("a"));
  const auto rows = platform().catalog().audit().list(0).value();
  bool audited = false;
  for (const auto& row : rows) {
    audited = audited || (row.target == "pool/main/postgres-admin-password" && row.outcome == "ok");
    EXPECT_EQ(row.detail.find(new_password.reveal()), std::string::npos);
  }
  EXPECT_TRUE(audited);
}

TEST_F(SecretRotationTest, ARedisAdminPasswordRotatesOnEveryClusterWithoutARestart) {
  const auto port = runtime().redis_port(kMain).value();
  const core::Secret old_password =
      platform().catalog().secrets().get(kMain.owner(), "redis_admin_password").value();
  auto done = platform().secret_rotate_platform("redis-admin-password", "", "", "", kActor);
  ASSERT_TRUE(done.has_value()) << done.error().to_string();
  EXPECT_EQ(done->at("clusters").size(), 2U) << done->dump();  // pool main and stack solo
  const core::Secret new_password =
      platform().catalog().secrets().get(kMain.owner(), "redis_admin_password").value();
  EXPECT_NE(new_password.reveal(), old_password.reveal());
  EXPECT_TRUE(rd::Client::connect("127.0.0.1", port, rd::kAdminUser, new_password).has_value());
  EXPECT_FALSE(rd::Client::connect("127.0.0.1", port, rd::kAdminUser, old_password).has_value());
  // The tenants' users were written back with it.
  EXPECT_TRUE(rd::Client::connect("127.0.0.1", port, "a", secret("a", "redis_password")));
  EXPECT_TRUE(runtime().redis_admin(kMain).has_value());
}

TEST_F(SecretRotationTest, OlderBackupsStayReadableAfterTheBackupKeyRotates) {
  auto first = platform().backup_create("b", "", "manual", kActor);
  ASSERT_TRUE(first.has_value()) << first.error().to_string();
  auto rotated = platform().secret_rotate_platform("backup-key", "", "b", "yearly", kActor);
  ASSERT_TRUE(rotated.has_value()) << rotated.error().to_string();
  EXPECT_EQ(rotated->at("generation"), 1);
  auto second = platform().backup_create("b", "", "manual", kActor);
  ASSERT_TRUE(second.has_value()) << second.error().to_string();
  const std::string old_id = first->at("id");
  const std::string new_id = second->at("id");
  auto old_shown = platform().backup_show("b", old_id, "").value();
  auto new_shown = platform().backup_show("b", new_id, "").value();
  EXPECT_EQ(old_shown["manifest"]["key_generation"], 0);
  EXPECT_EQ(new_shown["manifest"]["key_generation"], 1);
  EXPECT_TRUE(platform().backup_verify("b", old_id, "", kActor).has_value());
  EXPECT_TRUE(platform().backup_verify("b", new_id, "", kActor).has_value());
  auto restored = platform().restore({"b", old_id, "b-before-rekey"}, kActor);
  ASSERT_TRUE(restored.has_value()) << restored.error().to_string();
  auto again = platform().restore({"b", new_id, "b-after-rekey"}, kActor);
  ASSERT_TRUE(again.has_value()) << again.error().to_string();
  auto missing = platform().secret_rotate_platform("backup-key", "", "", "", kActor);
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().hint().find("--tenant"), std::string::npos);
}

TEST_F(SecretRotationTest, ARepositoryPassphraseIsRefusedWithWhatToDoInstead) {
  auto done = platform().secret_rotate_platform("repository-passphrase", "", "", "", kActor);
  ASSERT_FALSE(done.has_value());
  EXPECT_NE(done.error().message().find("cannot be rotated in place"), std::string::npos);
  EXPECT_NE(done.error().hint().find("Add a new repository"), std::string::npos);
  const auto rows = platform().catalog().audit().list(0).value();
  EXPECT_EQ(rows.back().action, "secret.rotate");
  EXPECT_EQ(rows.back().target, "repository/repository-passphrase");
  EXPECT_EQ(rows.back().outcome, "unimplemented");
}

TEST_F(SecretRotationTest, AnInterruptedAdminRotationIsFinishedByTheNextConnection) {
  auto& secrets = platform().catalog().secrets();
  const core::Secret next = core::random_token(24);
  // As if the daemon died after PostgreSQL took the new password, before the catalog did.
  ASSERT_TRUE(secrets.put(kMain.owner(), "postgres_admin_password.next", next));
  {
    auto admin = runtime().postgres_admin(kMain);
    ASSERT_TRUE(admin.has_value()) << admin.error().to_string();
    ASSERT_TRUE(pg::set_password(*admin, pg::kAdminRole, next));
  }
  auto admin = runtime().postgres_admin(kMain);
  ASSERT_TRUE(admin.has_value()) << admin.error().to_string();
  EXPECT_EQ(secrets.get(kMain.owner(), "postgres_admin_password")->reveal(), next.reveal());
  EXPECT_FALSE(secrets.get(kMain.owner(), "postgres_admin_password.next").has_value());
}

}  // namespace
}  // namespace ballast::testing
