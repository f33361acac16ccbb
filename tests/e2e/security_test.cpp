// Access and trust as a user meets them, against a running daemon: roles, tenant scope, TOTP
// for privileged actions (refusals audited, codes used once), revocation and expiry, tamper
// detection of the audit trail and its exports, and secrets that never leak.
#include <csignal>
#include <random>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "core/text.h"
#include "harness/harness.h"
#include "security/totp.h"

namespace ballast::testing {
namespace {

using Json = nlohmann::json;

struct Answer {
  int status = 0;
  Json body;
  std::string raw;
};

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_port_ = free_port();
    write_text(dir_ / "ballast.yaml",
               fmt::format("platform:\n  name: sec\n  state_dir: state\n  ingress: {{base_domain: "
                           "sec.test, http: \"127.0.0.1:{}\"}}\n  api: \"127.0.0.1:{}\"\n"
                           "repositories: [{{name: offsite, type: posix, path: offsite}}]\n"
                           "plans: [{{name: small}}]\n",
                           free_port(), api_port_));
    auto up = run_ballast({"up", "--detach"}, dir_.path());
    ASSERT_EQ(up.exit_code, 0) << up.err;
    admin_ = std::string(core::trim(read_text(dir_ / "state" / "api.token")));
  }
  void TearDown() override { run_ballast({"down"}, dir_.path()); }

  Answer call(const std::string& method, const std::string& path, const std::string& token,
              const Json& body = nullptr, const std::string& totp = "") {
    httplib::Client client("127.0.0.1", api_port_);
    httplib::Headers headers{{"Authorization", "Bearer " + token}};
    if (!totp.empty()) headers.emplace("X-Ballast-TOTP", totp);
    const std::string payload = body.is_null() ? "" : body.dump();
    auto r = method == "GET"    ? client.Get(path, headers)
             : method == "POST" ? client.Post(path, headers, payload, "application/json")
             : method == "PUT"  ? client.Put(path, headers, payload, "application/json")
                                : client.Delete(path, headers, payload, "application/json");
    if (!r) return Answer{-1, nullptr, ""};
    return Answer{r->status, Json::parse(r->body, nullptr, false), r->body};
  }
  std::string token(const std::string& role, const std::vector<std::string>& tenants = {},
                    const std::string& expires = "") {
    Json body = {{"name", role + "-test"}, {"role", role}};
    if (!tenants.empty()) body["tenants"] = tenants;
    if (!expires.empty()) body["expires_in"] = expires;
    auto made = call("POST", "/api/v1/tokens", admin_, body);
    EXPECT_EQ(made.status, 201) << made.raw;
    return made.body.value("secret", "");
  }
  static std::string error_code(const Answer& a) {
    return a.body.is_object() && a.body.contains("error") ? a.body["error"].value("code", "") : "";
  }
  Json audit_rows() { return call("GET", "/api/v1/audit", admin_).body["entries"]; }

  TempDir dir_;
  std::uint16_t api_port_ = 0;
  std::string admin_;
};

// Codes for steps now-1, now and now+1 are all valid for the next ~25 s: three fresh codes
// without waiting for the clock.
std::vector<std::string> three_fresh_codes(const core::Secret& secret) {
  const auto now = std::chrono::system_clock::now();
  const auto into_step = core::unix_seconds(now) % security::totp::kStepSeconds;
  if (into_step > 25) std::this_thread::sleep_for(std::chrono::seconds(31 - into_step));
  const auto base = std::chrono::system_clock::now();
  std::vector<std::string> codes;
  for (int step = -1; step <= 1; ++step) {
    codes.push_back(
        security::totp::code_at(secret, base + std::chrono::seconds(30 * step)).value());
  }
  return codes;
}

TEST_F(SecurityTest, AnAuditorReadsAndVerifiesButChangesNothing) {
  const std::string auditor = token("auditor");
  const auto before = audit_rows().size();
  EXPECT_EQ(call("GET", "/api/v1/status", auditor).status, 200);
  EXPECT_EQ(call("GET", "/api/v1/tokens", auditor).status, 200);
  auto verify = call("GET", "/api/v1/audit/verify", auditor);
  ASSERT_EQ(verify.status, 200);
  EXPECT_TRUE(verify.body["intact"].get<bool>());
  auto exported = call("GET", "/api/v1/audit/export", auditor);
  EXPECT_EQ(exported.status, 200);
  EXPECT_EQ(core::split(core::trim(exported.raw), '\n').size(), before);
  const std::vector<std::tuple<std::string, std::string, Json>> changes = {
      {"POST", "/api/v1/tenants", Json{{"name", "x"}, {"plan", "small"}}},
      {"PUT", "/api/v1/tenants/acme/plan", Json{{"plan", "small"}}},
      {"DELETE", "/api/v1/tenants/acme", Json{{"confirm", "acme"}}},
      {"POST", "/api/v1/tokens", Json{{"name", "x"}, {"role", "auditor"}}},
      {"DELETE", "/api/v1/tokens/0123456789ab", Json::object()},
      {"POST", "/api/v1/apply", Json::object()},
      {"POST", "/api/v1/secrets/master-key/rotate", Json::object()},
      {"POST", "/api/v1/shutdown", nullptr}};
  for (const auto& [method, path, body] : changes) {
    auto refused = call(method, path, auditor, body);
    EXPECT_EQ(refused.status, 403) << method << " " << path << " " << refused.raw;
    EXPECT_EQ(error_code(refused), "permission_denied") << path;
  }
  const auto after = audit_rows();
  ASSERT_EQ(after.size(), before + changes.size());  // each refused change is on the record
  EXPECT_EQ(after.back()["outcome"], "permission_denied");
  EXPECT_EQ(call("GET", "/api/v1/tenants", admin_).body["tenants"].size(), 0U);
  auto cli = run_ballast({"audit", "verify"}, dir_.path());
  EXPECT_EQ(cli.exit_code, 0) << cli.out << cli.err;
}

TEST_F(SecurityTest, PrivilegedActionsNeedAFreshTotpAndRefusalsAreAudited) {
  auto refused = call("POST", "/api/v1/secrets/master-key/rotate", admin_, Json::object());
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(error_code(refused), "second_factor_required");
  const auto last = audit_rows().back();
  EXPECT_EQ(last["action"], "api.rotateMasterKey");
  EXPECT_EQ(last["outcome"], "second_factor_required");

  auto enrolled = run_ballast({"token", "totp", "enroll", "--output", "json"}, dir_.path());
  ASSERT_EQ(enrolled.exit_code, 0) << enrolled.out << enrolled.err;
  const auto enrolment = Json::parse(enrolled.out);
  EXPECT_EQ(enrolment["uri"].get<std::string>().rfind("otpauth://totp/", 0), 0U);
  const auto secret = security::totp::from_base32(enrolment["secret"].get<std::string>()).value();
  const auto codes = three_fresh_codes(secret);
  auto confirmed = run_ballast({"token", "totp", "confirm", codes[0]}, dir_.path());
  ASSERT_EQ(confirmed.exit_code, 0) << confirmed.err;

  auto wrong = call("POST", "/api/v1/secrets/master-key/rotate", admin_, Json::object(), "000000");
  EXPECT_EQ(error_code(wrong), "second_factor_required");
  auto rotated = call("POST", "/api/v1/secrets/master-key/rotate", admin_,
                      Json{{"reason", "yearly"}}, codes[1]);
  EXPECT_EQ(rotated.status, 200) << rotated.raw;
  auto replayed =
      call("POST", "/api/v1/secrets/master-key/rotate", admin_, Json::object(), codes[1]);
  EXPECT_EQ(error_code(replayed), "second_factor_required");
  EXPECT_NE(replayed.raw.find("already used"), std::string::npos) << replayed.raw;
  auto older = call("POST", "/api/v1/secrets/master-key/rotate", admin_, Json::object(), codes[0]);
  EXPECT_EQ(error_code(older), "second_factor_required");

  // Creating a platform-admin token is privileged too; other roles are not.
  auto no_code = run_ballast({"token", "create", "--role", "platform-admin"}, dir_.path());
  EXPECT_EQ(no_code.exit_code, 1);
  EXPECT_NE(no_code.err.find("needs a TOTP code"), std::string::npos) << no_code.err;
  auto with_code = run_ballast(
      {"token", "create", "--role", "platform-admin", "--totp", codes[2], "--output", "json"},
      dir_.path());
  EXPECT_EQ(with_code.exit_code, 0) << with_code.out << with_code.err;
  // `down` with a wrong code is refused, and the daemon keeps running.
  auto down = run_ballast({"down", "--totp", "000000"}, dir_.path());
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_NE(down.err.find("the TOTP code is not valid"), std::string::npos) << down.err;
  EXPECT_EQ(run_ballast({"status"}, dir_.path()).exit_code, 0);
  const auto rows = audit_rows();
  std::vector<std::string> outcomes;
  for (const auto& row : rows) {
    if (row["action"] == "api.rotateMasterKey" || row["action"] == "secret.rotate") {
      outcomes.push_back(row["outcome"].get<std::string>());
    }
  }
  EXPECT_EQ(core::join(outcomes, ","),
            "second_factor_required,second_factor_required,ok,second_factor_required,"
            "second_factor_required");
}

TEST_F(SecurityTest, RevokedAndExpiredTokensGet401) {
  const std::string operator_token = token("operator");
  const std::string brief = token("auditor", {}, "1s");
  EXPECT_EQ(call("GET", "/api/v1/status", operator_token).status, 200);
  const std::string id = operator_token.substr(3, 12);
  auto revoked = run_ballast({"token", "revoke", id, "--reason", "test"}, dir_.path());
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  auto after = call("GET", "/api/v1/status", operator_token);
  EXPECT_EQ(after.status, 401);
  EXPECT_NE(after.raw.find("was revoked"), std::string::npos) << after.raw;
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto expired = call("GET", "/api/v1/status", brief);
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(expired.raw.find("expired"), std::string::npos) << expired.raw;
  auto listed = run_ballast({"token", "list", "--all", "--output", "json"}, dir_.path());
  ASSERT_EQ(listed.exit_code, 0);
  std::string states;
  const auto tokens = Json::parse(listed.out);
  for (const auto& t : tokens["tokens"]) states += t.value("state", "") + " ";
  EXPECT_NE(states.find("revoked"), std::string::npos);
  EXPECT_NE(states.find("expired"), std::string::npos);
}

TEST_F(SecurityTest, SecretsNeverLeakIntoLogsResponsesOrTheAuditTrail) {
  const std::string secret = token("operator");
  ASSERT_FALSE(secret.empty());
  const std::string secret_part = secret.substr(16);
  const std::string id = secret.substr(3, 12);
  call("GET", "/api/v1/status", secret);
  call("GET", "/api/v1/tenants/does-not-exist", secret);
  call("GET", "/api/v1/status", secret + "x");
  std::string seen = call("GET", "/api/v1/tokens", admin_).raw;
  seen += call("GET", "/api/v1/tokens/" + id, admin_).raw;
  seen += call("GET", "/api/v1/audit", admin_).raw;
  seen += call("GET", "/api/v1/audit/export", admin_).raw;
  seen += run_ballast({"token", "list", "--output", "json"}, dir_.path()).out;
  seen += run_ballast({"audit", "list"}, dir_.path()).out;
  ASSERT_EQ(run_ballast({"down"}, dir_.path()).exit_code, 0);
  seen += read_text(dir_ / "state" / "logs" / "ballast.log");
  seen += read_text(dir_ / "state" / "logs" / "daemon.out");
  seen += read_text(dir_ / "state" / "catalog.db");
  seen += read_text(dir_ / "state" / "catalog.db-wal");
  EXPECT_NE(seen.find(id), std::string::npos);           // the id is public…
  EXPECT_EQ(seen.find(secret_part), std::string::npos);  // …the secret never appears
  EXPECT_EQ(seen.find(admin_.substr(16)), std::string::npos);
}

TEST_F(SecurityTest, ATamperedAuditRowIsDetectedInTheCatalogAndInAnExport) {
  token("auditor");
  ASSERT_EQ(run_ballast({"down"}, dir_.path()).exit_code, 0);
  auto exported =
      run_ballast({"audit", "export", "-o", "audit.jsonl", "--repository", "offsite"}, dir_.path());
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  auto clean = run_ballast({"audit", "verify", "--file", "audit.jsonl"}, dir_.path());
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  std::vector<fs::path> copies;
  for (const auto& e : fs::directory_iterator(dir_ / "offsite" / "audit" / "sec")) {
    if (e.path().extension() == ".jsonl") copies.push_back(e.path());
  }
  ASSERT_EQ(copies.size(), 1U);  // the copy off the host verifies too
  EXPECT_EQ(read_text(copies[0]), read_text(dir_ / "audit.jsonl"));
  EXPECT_EQ(run_ballast({"audit", "verify", "--file", copies[0].string()}, dir_.path()).exit_code,
            0);

  std::string text = read_text(dir_ / "audit.jsonl");
  const auto at = text.find("auditor-test");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 12, "operator-tst");
  write_text(dir_ / "audit-edited.jsonl", text);
  auto edited = run_ballast({"audit", "verify", "--file", "audit-edited.jsonl"}, dir_.path());
  EXPECT_EQ(edited.exit_code, 1);
  EXPECT_NE(edited.out.find("content does not match its hash"), std::string::npos) << edited.out;

  {
    auto db = catalog::Database::open(dir_ / "state" / "catalog.db").value();
    auto guard = db->lock();
    ASSERT_TRUE(db->exec("DROP TRIGGER audit_append_only_update; UPDATE audit SET actor = "
                         "'token:someone-else' WHERE action = 'token.create'")
                    .has_value());
  }
  auto verify = run_ballast({"audit", "verify"}, dir_.path());
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_NE(verify.out.find("BROKEN"), std::string::npos) << verify.out;
  auto reexport = run_ballast({"audit", "export", "-o", "again.jsonl"}, dir_.path());
  ASSERT_EQ(reexport.exit_code, 0);
  EXPECT_EQ(run_ballast({"audit", "verify", "--file", "again.jsonl"}, dir_.path()).exit_code, 1);
}

TEST_F(SecurityTest, MasterKeyRotationSurvivesKillNineAtAnyMoment) {
  ASSERT_EQ(run_ballast({"down"}, dir_.path()).exit_code, 0);
  core::SystemClock clock;
  {
    auto catalog =
        catalog::Catalog::open(dir_ / "state", clock, catalog::OpenMode::kExisting).value();
    for (int i = 0; i < 2000; ++i) {
      ASSERT_TRUE(catalog->secrets()
                      .put("tenant/t" + std::to_string(i), "db_password",
                           core::Secret("secret-" + std::to_string(i)))
                      .has_value());
    }
  }
  std::mt19937 random(7);
  for (int round = 0; round < 8; ++round) {
    core::Command command{.argv = {ballast_binary().string(), "secret", "rotate", "master-key"},
                          .cwd = dir_.path(),
                          .stdout_mode = core::Stdio::kNull,
                          .stderr_mode = core::Stdio::kNull};
    auto rotation = core::Process::start(command);
    ASSERT_TRUE(rotation.has_value());
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % 150));
    rotation->signal(SIGKILL);
    rotation->wait();
  }
  auto last = run_ballast({"secret", "rotate", "master-key", "--reason", "test"}, dir_.path());
  EXPECT_EQ(last.exit_code, 0) << last.out << last.err;
  EXPECT_NE(last.out.find("2000 secret(s) re-sealed"), std::string::npos) << last.out;
  auto catalog = catalog::Catalog::open(dir_ / "state", clock, catalog::OpenMode::kExisting);
  ASSERT_TRUE(catalog.has_value()) << catalog.error().to_string();
  for (int i = 0; i < 2000; ++i) {
    auto value = (*catalog)->secrets().get("tenant/t" + std::to_string(i), "db_password");
    ASSERT_TRUE(value.has_value()) << i << ": " << value.error().to_string();
    EXPECT_EQ(value->reveal(), "secret-" + std::to_string(i));
  }
  EXPECT_FALSE(fs::exists(dir_ / "state" / "master.key.next"));
  EXPECT_EQ(run_ballast({"audit", "verify"}, dir_.path()).exit_code, 0);
}

}  // namespace
}  // namespace ballast::testing
