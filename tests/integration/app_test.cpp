// The Odoo application tier on real PostgreSQL and HAProxy: against the stand-in
// (tests/odoo_standin), or real Odoo 18 when BALLAST_ODOO_SRC points to its source tree.
#include <csignal>
#include <regex>

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include "components/odoo/password.h"
#include "core/file.h"
#include "core/text.h"
#include "platform_fixture.h"

namespace ballast::testing {
namespace {

using runtime::local::HostRef;

class AppTest : public PlatformFixture {
 public:
  static void SetUpTestSuite() {
    use_odoo_standin_unless_set();
    PlatformFixture::SetUpTestSuite();
  }

 protected:
  httplib::Result get(const std::string& host, const std::string& path) {
    httplib::Client client("127.0.0.1", http_port());
    client.set_read_timeout(30, 0);
    return client.Get(path, httplib::Headers{{"Host", host}});
  }
  nlohmann::json rpc(const std::string& host, const std::string& path, const nlohmann::json& params,
                     std::string* cookie = nullptr) {
    httplib::Client client("127.0.0.1", http_port());
    client.set_read_timeout(60, 0);
    const nlohmann::json body = {
        {"jsonrpc", "2.0"}, {"method", "call"}, {"id", 1}, {"params", params}};
    auto r = client.Post(path, httplib::Headers{{"Host", host}}, body.dump(), "application/json");
    if (!r) return nlohmann::json{{"error", "no answer"}};
    if (cookie != nullptr && r->has_header("Set-Cookie"))
      *cookie = r->get_header_value("Set-Cookie");
    return nlohmann::json::parse(r->body, nullptr, false);
  }
  // Sends an upgrade request by hand and returns the response head (httplib cannot upgrade).
  std::string websocket_handshake(const std::string& host) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(http_port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "no connection";
    const std::string request = "GET /websocket HTTP/1.1\r\nHost: " + host +
                                "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nOrigin: http://" +
                                host +
                                "\r\n"
                                "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                                "dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
    (void)!::write(fd, request.data(), request.size());
    const timeval timeout{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    std::string head;
    char c = 0;
    while (head.find("\r\n\r\n") == std::string::npos && ::read(fd, &c, 1) == 1) head += c;
    ::close(fd);
    return head;
  }
  std::string admin_password(const std::string& tenant) {
    return platform()
        .catalog()
        .secrets()
        .get("tenant/" + tenant, "odoo_admin_password")
        .value()
        .reveal();
  }
};

TEST_F(AppTest, EachHostReachesItsOwnTenant) {
  for (const std::string t : {"a", "b", "s"}) {
    const std::string host = t == "b" ? "www.b.test" : t + ".it.test";
    auto page = get(host, "/web/login");
    ASSERT_TRUE(page) << host;
    EXPECT_EQ(page->status, 200) << host;
    auto session = rpc(host, "/web/session/authenticate",
                       {{"db", t}, {"login", "admin"}, {"password", admin_password(t)}});
    ASSERT_TRUE(session.contains("result")) << host << ": " << session.dump();
    EXPECT_EQ(session["result"]["db"], t);
    // An admin login records the URL Odoo believes it is served under: the public name the proxy
    // forwarded (proxy_mode), not the loopback address Odoo listens on.
    const HostRef where =
        t == "s" ? HostRef{HostRef::Kind::kStack, "solo"} : HostRef{HostRef::Kind::kPool, "main"};
    auto db = runtime().postgres_admin(where, t).value();
    auto url = db.query("SELECT value FROM ir_config_parameter WHERE key = 'web.base.url'").value();
    EXPECT_EQ(url.at(0, 0), "http://" + host) << t;
  }
  EXPECT_EQ(get("a.it.test", "/web/database/manager")->status, 403);
  EXPECT_EQ(get("a.it.test", "/web/health")->status, 200);
}

TEST_F(AppTest, AdminLogsInWithThePasswordSetAtCreation) {
  std::string cookie;
  auto ok = rpc("a.it.test", "/web/session/authenticate",
                {{"db", "a"}, {"login", "admin"}, {"password", admin_password("a")}}, &cookie);
  ASSERT_TRUE(ok.contains("result")) << ok.dump();
  EXPECT_FALSE(cookie.empty());
  auto template_password = rpc("a.it.test", "/web/session/authenticate",
                               {{"db", "a"}, {"login", "admin"}, {"password", "admin"}});
  EXPECT_TRUE(template_password.contains("error")) << "the template's password must not work";
  auto other_db = rpc("a.it.test", "/web/session/authenticate",
                      {{"db", "b"}, {"login", "admin"}, {"password", admin_password("b")}});
  EXPECT_TRUE(other_db.contains("error")) << "host a must not serve database b";
}

TEST_F(AppTest, ClonesGetTheirOwnIdentity) {
  std::set<std::string> uuids;
  for (const std::string t : {"a", "b", "tight"}) {
    auto db = runtime().postgres_admin({HostRef::Kind::kPool, "main"}, t).value();
    auto rows = db.query(
                      "SELECT key, value FROM ir_config_parameter WHERE key IN "
                      "('database.uuid', 'web.base.url') ORDER BY key")
                    .value();
    ASSERT_EQ(rows.values.size(), 2U) << t;
    uuids.insert(rows.at(0, 1));
    EXPECT_EQ(rows.at(1, 1).rfind("http://", 0), 0U);
    auto owner = db.query("SELECT tableowner FROM pg_tables WHERE tablename = 'res_users'").value();
    EXPECT_EQ(owner.at(0, 0), t);
  }
  EXPECT_EQ(uuids.size(), 3U);
}

TEST_F(AppTest, TimesheetsThroughJsonRpc) {
  auto uid = rpc(
      "b.it.test", "/jsonrpc",
      {{"service", "common"}, {"method", "login"}, {"args", {"b", "admin", admin_password("b")}}});
  ASSERT_TRUE(uid["result"].is_number()) << uid.dump();
  const auto call = [&](const std::string& model, const std::string& method,
                        const nlohmann::json& args) {
    return rpc("b.it.test", "/jsonrpc",
               {{"service", "object"},
                {"method", "execute_kw"},
                {"args", {"b", uid["result"], admin_password("b"), model, method, args}}});
  };
  auto project = call("project.project", "create", {{{"name", "Audit 2026"}}});
  ASSERT_TRUE(project.contains("result")) << project.dump();
  auto line =
      call("account.analytic.line", "create",
           {{{"name", "Fieldwork"}, {"project_id", project["result"]}, {"unit_amount", 7.5}}});
  ASSERT_TRUE(line.contains("result")) << line.dump();
  auto read = call("account.analytic.line", "read", {{line["result"]}, {"name", "unit_amount"}});
  EXPECT_EQ(read["result"][0]["name"], "Fieldwork");
}

TEST_F(AppTest, WebsocketUpgradesThroughTheProxy) {
  for (const std::string host : {"a.it.test", "s.it.test"}) {  // threaded and prefork plans
    const std::string head = websocket_handshake(host);
    EXPECT_EQ(head.rfind("HTTP/1.1 101", 0), 0U) << host << ": " << head;
    EXPECT_NE(head.find("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), std::string::npos) << head;
  }
  // Tenant s runs prefork workers: its HTTP port refuses websockets, so the proxy must have
  // sent the upgrade to the gevent port.
  auto record = platform().catalog().tenants().get("s").value();
  const auto config =
      platform().runtime() != nullptr
          ? runtime::local::AppTier(runtime(), platform().catalog()).config_for(record)
          : core::Result<components::odoo::OdooConfig>(core::Error(core::ErrorCode::kInternal, ""));
  ASSERT_TRUE(config.has_value());
  EXPECT_GT(config->workers, 0U);
  httplib::Client direct("127.0.0.1", config->http_port);
  auto refused =
      direct.Get("/websocket", httplib::Headers{{"Connection", "Upgrade"},
                                                {"Upgrade", "websocket"},
                                                {"Origin", "http://s.it.test"},
                                                {"Sec-WebSocket-Version", "13"},
                                                {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 500);
}

TEST_F(AppTest, AKilledOdooIsRestartedAndSuspensionStopsIt) {
  auto& sup = runtime().supervisor();
  const std::string name = "tenant/a/odoo";
  const auto before = sup.pid(name);
  ASSERT_TRUE(before.has_value());
  ASSERT_EQ(::kill(*before, SIGKILL), 0);
  EXPECT_TRUE(poll_until([&] { return sup.pid(name) != before && sup.is_running(name); },
                         std::chrono::seconds(60)));
  EXPECT_TRUE(poll_until(
      [&] {
        auto r = get("a.it.test", "/web/login");
        return r && r->status == 200;
      },
      std::chrono::seconds(30)));
  ASSERT_TRUE(platform().tenant_suspend("a", kActor).has_value());
  EXPECT_FALSE(sup.is_running(name));
  EXPECT_EQ(get("a.it.test", "/web/login")->status, 503);
  ASSERT_TRUE(platform().tenant_resume("a", kActor).has_value());
  EXPECT_TRUE(sup.is_running(name));
  EXPECT_EQ(get("a.it.test", "/web/login")->status, 200);
}

TEST_F(AppTest, StagingIsANeutralizedCopyWithItsOwnName) {
  auto prod = runtime().postgres_admin({HostRef::Kind::kPool, "main"}, "b").value();
  // Rows written with SQL give what Odoo's constraints require: account makes autopost_bills
  // NOT NULL (without an SQL default), and an inactive partner would stay hidden.
  ASSERT_TRUE(prod.exec("INSERT INTO res_partner (name, active, autopost_bills) VALUES ('Client "
                        "copied to staging', true, 'ask')")
                  .has_value());
  auto made =
      platform().environment_create("b", "staging", spec::EnvironmentKind::kStaging, {}, kActor);
  ASSERT_TRUE(made.has_value()) << made.error().to_string();
  EXPECT_EQ((*made)["name"], "b-staging");
  EXPECT_EQ((*made)["environment"], "staging");
  auto page = get("b-staging.it.test", "/web/login");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  // Odoo's login page never names its database: the banner shows the neutralization, the
  // session shows which database the host serves.
  EXPECT_NE(page->body.find("Database neutralized for testing"), std::string::npos);
  auto session = rpc("b-staging.it.test", "/web/session/authenticate",
                     {{"db", "b-staging"}, {"login", "admin"}, {"password", admin_password("b")}});
  ASSERT_TRUE(session.contains("result")) << session.dump();
  EXPECT_EQ(session["result"]["db"], "b-staging");
  auto copy = runtime().postgres_admin({HostRef::Kind::kPool, "main"}, "b-staging").value();
  EXPECT_EQ(copy.query("SELECT count(*) FROM res_partner WHERE name = 'Client copied to staging'")
                ->at(0, 0),
            "1");
  EXPECT_EQ(core::to_lower(copy.query("SELECT value FROM ir_config_parameter WHERE key = "
                                      "'database.is_neutralized'")
                               ->at(0, 0)),
            "true");
  // The only active outgoing server is the platform's catcher.
  auto servers = copy.query("SELECT smtp_host FROM ir_mail_server WHERE active").value();
  ASSERT_EQ(servers.values.size(), 1U);
  EXPECT_EQ(servers.at(0, 0), "127.0.0.1");
  auto crons = copy.query(
                       "SELECT count(*) FROM ir_cron c JOIN ir_model_data d ON d.res_id = c.id AND "
                       "d.model = 'ir.cron' WHERE c.active AND NOT (d.module = 'base' AND "
                       "d.name = 'autovacuum_job')")
                   .value();
  EXPECT_EQ(crons.at(0, 0), "0");
  EXPECT_NE(
      copy.query("SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'")->at(0, 0),
      prod.query("SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'")->at(0, 0));
  const auto conf =
      core::read_file(runtime().layout().tenant_dir("b-staging") / "odoo.conf").value();
  EXPECT_NE(conf.find("smtp_server = 127.0.0.1"), std::string::npos);
  // Production is untouched.
  EXPECT_GT(std::stoi(prod.query("SELECT count(*) FROM ir_cron WHERE active")->at(0, 0)), 1);
  EXPECT_EQ(
      prod.query("SELECT count(*) FROM ir_config_parameter WHERE key = 'database.is_neutralized'")
          ->at(0, 0),
      "0");
}

// A dedicated tenant's copy stays on the customer's own stack (its PostgreSQL, its Redis),
// beside production and not in a shared pool; deleting the copy leaves production serving.
TEST_F(AppTest, ADedicatedTenantsCopyStaysOnItsStack) {
  const HostRef solo{HostRef::Kind::kStack, "solo"};
  auto made =
      platform().environment_create("s", "staging", spec::EnvironmentKind::kStaging, {}, kActor);
  ASSERT_TRUE(made.has_value()) << made.error().to_string();
  EXPECT_EQ((*made)["stack"], "solo");
  EXPECT_EQ(get("s-staging.it.test", "/web/login")->status, 200);
  EXPECT_TRUE(runtime().postgres_admin(solo, "s-staging").has_value());
  auto pool = runtime().postgres_admin({HostRef::Kind::kPool, "main"}).value();
  EXPECT_EQ(pool.query("SELECT count(*) FROM pg_database WHERE datname = 's-staging'")->at(0, 0),
            "0");
  auto deleted = platform().tenant_delete("s-staging", {"s-staging", "done testing"}, kActor);
  ASSERT_TRUE(deleted.has_value()) << deleted.error().to_string();
  EXPECT_EQ(get("s.it.test", "/web/login")->status, 200);
  EXPECT_TRUE(runtime().postgres_admin(solo, "s").has_value());
}

// A copy's mail reaches the platform's catcher, kept under the copy's name and readable through
// the platform; nothing is delivered, and production's mail is not the catcher's business.
TEST_F(AppTest, ACopysMailIsCaughtNotDelivered) {
  auto made =
      platform().environment_create("b", "outbox", spec::EnvironmentKind::kDevelopment, {}, kActor);
  ASSERT_TRUE(made.has_value()) << made.error().to_string();
  const std::string host = "b-outbox.it.test";
  auto uid = rpc(host, "/jsonrpc",
                 {{"service", "common"},
                  {"method", "login"},
                  {"args", {"b-outbox", "admin", admin_password("b")}}});
  ASSERT_TRUE(uid["result"].is_number()) << uid.dump();
  const auto call = [&](const std::string& model, const std::string& method,
                        const nlohmann::json& args) {
    return rpc(host, "/jsonrpc",
               {{"service", "object"},
                {"method", "execute_kw"},
                {"args", {"b-outbox", uid["result"], admin_password("b"), model, method, args}}});
  };
  // What a tester does in a copy: send a customer an invoice by mail.
  auto mail = call("mail.mail", "create",
                   {{{"subject", "Invoice INV/2026/0042"},
                     {"body_html", "<p>Dear customer, your invoice is attached.</p>"},
                     {"email_from", "billing@b.example"},
                     {"email_to", "customer@example.com"}}});
  ASSERT_TRUE(mail["result"].is_number()) << mail.dump();
  auto sent = call("mail.mail", "send", {{mail["result"]}});
  ASSERT_FALSE(sent.contains("error")) << sent.dump();  // send() returns nothing, like Odoo 18
  auto copy = runtime().postgres_admin({HostRef::Kind::kPool, "main"}, "b-outbox").value();
  // A mail Odoo could not hand to its server stays as 'exception' with the reason.
  EXPECT_EQ(copy.query("SELECT count(*) FROM mail_mail WHERE state = 'exception'")->at(0, 0), "0")
      << copy.query("SELECT coalesce(string_agg(failure_reason, '; '), '') FROM mail_mail")
             ->at(0, 0);

  auto listed = platform().mail_list("b-outbox", 10);
  ASSERT_TRUE(listed.has_value()) << listed.error().to_string();
  EXPECT_TRUE((*listed)["catching"].get<bool>());
  ASSERT_EQ((*listed)["messages"].size(), 1U) << listed->dump();
  const auto& summary = (*listed)["messages"][0];
  EXPECT_EQ(summary["subject"], "Invoice INV/2026/0042");
  EXPECT_EQ(summary["to"], nlohmann::json::array({"customer@example.com"}));
  auto shown = platform().mail_show("b-outbox", summary["id"].get<std::int64_t>());
  ASSERT_TRUE(shown.has_value()) << shown.error().to_string();
  EXPECT_NE((*shown)["message"].get<std::string>().find("your invoice is attached"),
            std::string::npos);

  auto production = platform().mail_list("b", 10);
  ASSERT_FALSE(production.has_value());
  EXPECT_EQ(production.error().code(), core::ErrorCode::kPreconditionFailed);
  auto unconfirmed = platform().mail_clear("b-outbox", "", kActor);
  ASSERT_FALSE(unconfirmed.has_value());
  EXPECT_EQ(unconfirmed.error().code(), core::ErrorCode::kConfirmationRequired);
  auto cleared = platform().mail_clear("b-outbox", "b-outbox", kActor);
  ASSERT_TRUE(cleared.has_value()) << cleared.error().to_string();
  EXPECT_EQ((*cleared)["removed"], 1);
  EXPECT_TRUE((*platform().mail_list("b-outbox", 10))["messages"].empty());

  // A stopped copy no longer catches.
  ASSERT_TRUE(platform().tenant_suspend("b-outbox", kActor).has_value());
  EXPECT_FALSE((*platform().mail_list("b-outbox", 10))["catching"].get<bool>());
}

// A copy declared in the spec (tenants[].environments) is made by apply, under the name and
// domain the spec derives for it, not refused as a clash with itself.
TEST_F(AppTest, AnEnvironmentDeclaredInTheSpecIsCreatedByApply) {
  const auto& current = platform().spec();
  std::string yaml = spec_text(http_port(), current.platform.api.port);
  const std::string tenant_a = "  - {name: a, pool: main, plan: small}\n";
  ASSERT_NE(yaml.find(tenant_a), std::string::npos);
  yaml.replace(yaml.find(tenant_a), tenant_a.size(),
               "  - {name: a, pool: main, plan: small, environments: [{name: review, kind: "
               "development}]}\n");
  write_text(current.file, yaml);
  auto next = spec::load(current.file);
  ASSERT_TRUE(next.has_value()) << next.error().to_string();
  auto applied = platform().apply(&*next, reconcile::ApplyOptions{}, kActor);
  ASSERT_TRUE(applied.has_value()) << applied.error().to_string();
  auto record = platform().catalog().tenants().get("a-review");
  ASSERT_TRUE(record.has_value()) << record.error().to_string();
  EXPECT_EQ(record->parent, "a");
  EXPECT_EQ(record->environment, "development");
  auto page = get("a-review.it.test", "/web/login");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
}

TEST_F(AppTest, ACopyThatStaysActiveIsNotStarted) {
  // A module that switches scheduled actions back on: neutralization cannot hold.
  auto prod = runtime().postgres_admin({HostRef::Kind::kPool, "main"}, "tight").value();
  ASSERT_TRUE(prod.exec("CREATE FUNCTION keep_active() RETURNS trigger LANGUAGE plpgsql AS "
                        "$$ BEGIN NEW.active := true; RETURN NEW; END $$")
                  .has_value());
  ASSERT_TRUE(prod.exec("CREATE TRIGGER keep_active BEFORE UPDATE ON ir_cron FOR EACH ROW "
                        "EXECUTE FUNCTION keep_active()")
                  .has_value());
  auto made = platform().environment_create("tight", "staging", spec::EnvironmentKind::kStaging, {},
                                            kActor);
  ASSERT_FALSE(made.has_value());
  EXPECT_EQ(made.error().code(), core::ErrorCode::kPreconditionFailed);
  EXPECT_NE(made.error().message().find("scheduled action '"), std::string::npos)
      << made.error().message();
  EXPECT_FALSE(runtime().supervisor().is_running("tenant/tight-staging/odoo"));
  EXPECT_EQ(get("tight-staging.it.test", "/web/login")->status, 503);
}

TEST_F(AppTest, UpgradesAndRollsBackAFailedOne) {
  auto ok = platform().tenant_upgrade("a", {"account"}, false, kActor);
  ASSERT_TRUE(ok.has_value()) << ok.error().to_string();
  EXPECT_TRUE(ok->contains("pre_upgrade_backup"));
  EXPECT_EQ(get("a.it.test", "/web/login")->status, 200);

  auto db = runtime().postgres_admin({HostRef::Kind::kPool, "main"}, "a").value();
  ASSERT_TRUE(db.exec("INSERT INTO res_partner (name, active, autopost_bills) VALUES ('Kept "
                      "through a failed upgrade', true, 'ask')")
                  .has_value());
  // A module that is not installed is refused before anything stops: Odoo would ignore it.
  auto unknown = platform().tenant_upgrade("a", {"no_such_module"}, false, kActor);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code(), core::ErrorCode::kInvalidArgument);
  EXPECT_NE(unknown.error().message().find("'no_such_module'"), std::string::npos);
  // A database error half-way through (here a trigger refusing Odoo's bookkeeping of module
  // states) makes `odoo-bin -u` fail, as a broken module does.
  ASSERT_TRUE(db.exec("CREATE FUNCTION refuse_upgrade() RETURNS trigger LANGUAGE plpgsql AS "
                      "$$ BEGIN RAISE EXCEPTION 'upgrade refused by the test'; END $$")
                  .has_value());
  ASSERT_TRUE(db.exec("CREATE TRIGGER refuse_upgrade BEFORE UPDATE ON ir_module_module FOR EACH "
                      "ROW EXECUTE FUNCTION refuse_upgrade()")
                  .has_value());
  auto failed = platform().tenant_upgrade("a", {"account"}, false, kActor);
  ASSERT_FALSE(failed.has_value());
  EXPECT_NE(failed.error().message().find("was rolled back"), std::string::npos)
      << failed.error().to_string();
  auto after = runtime().postgres_admin({HostRef::Kind::kPool, "main"}, "a").value();
  EXPECT_EQ(after.query("SELECT count(*) FROM ir_module_module WHERE state LIKE 'to %'")->at(0, 0),
            "0");
  EXPECT_EQ(
      after.query("SELECT count(*) FROM res_partner WHERE name = 'Kept through a failed upgrade'")
          ->at(0, 0),
      "1");
  EXPECT_TRUE(runtime().supervisor().is_running("tenant/a/odoo"));
  EXPECT_EQ(get("a.it.test", "/web/login")->status, 200);
  auto events = platform().catalog().events().list("tenant/a").value();
  EXPECT_TRUE(std::any_of(events.begin(), events.end(),
                          [](const auto& e) { return e.reason == "UpgradeRolledBack"; }));
  EXPECT_TRUE(after.exec("DROP FUNCTION refuse_upgrade() CASCADE").has_value());
}

TEST_F(AppTest, ExportAndImportRoundTripInOdoosFormat) {
  auto prod = runtime().postgres_admin({HostRef::Kind::kPool, "main"}, "b").value();
  ASSERT_TRUE(prod.exec("INSERT INTO res_partner (name, active, autopost_bills) VALUES ('Exported "
                        "client', true, 'ask')")
                  .has_value());
  const auto files = runtime().layout().filestore("b") / "4a";
  std::filesystem::create_directories(files);
  write_text(files / "4a1b", "an invoice scan");
  auto exported = platform().tenant_export("b", kActor);
  ASSERT_TRUE(exported.has_value()) << exported.error().to_string();
  const std::string zip = (*exported)["path"];
  const std::filesystem::path imports = dir_->path() / "state" / "imports";
  std::filesystem::create_directories(imports);
  std::filesystem::copy_file(zip, imports / "b.zip");
  auto imported =
      platform().tenant_import("b-moved", "b.zip", {{"plan", "small"}, {"pool", "main"}}, kActor);
  ASSERT_TRUE(imported.has_value()) << imported.error().to_string();
  EXPECT_EQ((*imported)["source_database"], "b");
  auto copy = runtime().postgres_admin({HostRef::Kind::kPool, "main"}, "b-moved").value();
  EXPECT_EQ(copy.query("SELECT count(*) FROM res_partner WHERE name = 'Exported client'")->at(0, 0),
            "1");
  EXPECT_EQ(
      copy.query("SELECT tableowner FROM pg_tables WHERE tablename = 'res_partner'")->at(0, 0),
      "b-moved");
  EXPECT_EQ(read_text(runtime().layout().filestore("b-moved") / "4a" / "4a1b"), "an invoice scan");
  EXPECT_EQ(get("b-moved.it.test", "/web/login")->status, 200);

  write_text(imports / "junk.zip", "this is not a zip");
  auto junk = platform().tenant_import("junk", "junk.zip", {{"plan", "small"}}, kActor);
  ASSERT_FALSE(junk.has_value());
  EXPECT_EQ(junk.error().code(), core::ErrorCode::kCorrupt);
  EXPECT_EQ(
      platform().tenant_import("x", "../catalog.db", {{"plan", "small"}}, kActor).error().code(),
      core::ErrorCode::kInvalidArgument);
  EXPECT_FALSE(platform().catalog().tenants().find("junk").value().has_value());
}

}  // namespace
}  // namespace ballast::testing
