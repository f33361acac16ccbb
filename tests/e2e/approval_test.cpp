// A second approver, as users meet it against a running daemon with real tenants: with
// `security.approvals: [tenant.delete]` a delete is parked (202) and the tenant stays; the
// holder who asked cannot approve it; a different platform admin with its own TOTP code does,
// and the tenant is gone with both principals in the audit row; a rejected change never runs.
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

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

// A token holder with a TOTP factor: hands out codes for ever newer time steps (each code is
// accepted once), waiting for the clock when the window of valid steps is used up.
struct Holder {
  std::string token;
  core::Secret totp;
  std::int64_t last_step = -1;

  std::string next_code() {
    const auto step_of = [] {
      return core::unix_seconds(std::chrono::system_clock::now()) /
             static_cast<std::int64_t>(security::totp::kStepSeconds);
    };
    // Steps now and now+1 stay valid across the next step boundary; now-1 might not.
    std::int64_t step = std::max(last_step + 1, step_of());
    while (step > step_of() + 1) std::this_thread::sleep_for(std::chrono::milliseconds(500));
    last_step = step;
    const auto at = core::from_unix_seconds(step * security::totp::kStepSeconds + 1);
    return security::totp::code_at(totp, at).value();
  }
  [[nodiscard]] std::string id() const { return "token:" + token.substr(3, 12); }
};

class ApprovalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_port_ = free_port();
    write_text(dir_ / "ballast.yaml", fmt::format(R"(platform:
  name: approvals
  state_dir: state
  ingress: {{base_domain: approvals.test, http: "127.0.0.1:{}"}}
  api: "127.0.0.1:{}"
security:
  approvals: [tenant.delete]
plans: [{{name: small}}]
pools: [{{name: main}}]
tenants: [{{name: doomed, pool: main, plan: small}}, {{name: kept, pool: main, plan: small}}]
)",
                                                  free_port(), api_port_));
    auto up = run_ballast({"up", "--detach"}, dir_.path());
    ASSERT_EQ(up.exit_code, 0) << up.err;
    alice_.token = std::string(core::trim(read_text(dir_ / "state" / "api.token")));
    enrol(alice_);
  }
  void TearDown() override { run_ballast({"down"}, dir_.path()); }

  Answer call(const std::string& method, const std::string& path, const std::string& token,
              const Json& body = nullptr, const std::string& totp = "") {
    httplib::Client client("127.0.0.1", api_port_);
    client.set_read_timeout(120, 0);
    httplib::Headers headers{{"Authorization", "Bearer " + token}};
    if (!totp.empty()) headers.emplace("X-Ballast-TOTP", totp);
    const std::string payload = body.is_null() ? "" : body.dump();
    auto r = method == "GET"    ? client.Get(path, headers)
             : method == "POST" ? client.Post(path, headers, payload, "application/json")
                                : client.Delete(path, headers, payload, "application/json");
    if (!r) return Answer{-1, nullptr, ""};
    return Answer{r->status, Json::parse(r->body, nullptr, false), r->body};
  }
  void enrol(Holder& holder) {
    auto enrolled = call("POST", "/api/v1/self/totp", holder.token);
    ASSERT_EQ(enrolled.status, 201) << enrolled.raw;
    holder.totp = security::totp::from_base32(enrolled.body["secret"].get<std::string>()).value();
    auto confirmed =
        call("POST", "/api/v1/self/totp/confirm", holder.token, Json{{"code", holder.next_code()}});
    ASSERT_EQ(confirmed.status, 200) << confirmed.raw;
  }
  Holder second_admin() {
    Holder bob;
    auto made = call("POST", "/api/v1/tokens", alice_.token,
                     Json{{"name", "bob"}, {"role", "platform-admin"}}, alice_.next_code());
    EXPECT_EQ(made.status, 201) << made.raw;
    bob.token = made.body.value("secret", "");
    enrol(bob);
    return bob;
  }
  Answer delete_tenant(const std::string& name) {
    return call("DELETE", "/api/v1/tenants/" + name, alice_.token,
                Json{{"confirm", name}, {"reason", "offboarded"}}, alice_.next_code());
  }
  static std::string error_code(const Answer& a) {
    return a.body.is_object() && a.body.contains("error") ? a.body["error"].value("code", "") : "";
  }
  Json audit_rows(const std::string& action) {
    Json out = Json::array();
    for (std::int64_t after = 0;;) {  // the trail comes in pages
      const auto page =
          call("GET", "/api/v1/audit?after=" + std::to_string(after), alice_.token).body["entries"];
      if (page.empty()) return out;
      for (const auto& row : page) {
        if (row["action"] == action) out.push_back(row);
      }
      after = page.back()["seq"].get<std::int64_t>();
    }
  }

  TempDir dir_;
  std::uint16_t api_port_ = 0;
  Holder alice_;
};

TEST_F(ApprovalTest, ADeleteWaitsForADifferentAdminWhoseApprovalRunsIt) {
  Holder bob = second_admin();
  auto parked = delete_tenant("doomed");
  ASSERT_EQ(parked.status, 202) << parked.raw;
  const auto change = parked.body["pending_change"];
  const std::string id = change["id"];
  EXPECT_EQ(change["action"], "tenant.delete");
  EXPECT_EQ(change["target"], "tenant/doomed");
  EXPECT_EQ(change["requester"], alice_.id());
  EXPECT_EQ(change["state"], "pending");
  EXPECT_FALSE(change.value("expires_at", "").empty());
  EXPECT_NE(parked.body.value("next", "").find("ballast change approve " + id), std::string::npos);
  EXPECT_EQ(call("GET", "/api/v1/tenants/doomed", alice_.token).status, 200);

  auto own = call("POST", "/api/v1/changes/" + id + "/approve", alice_.token, Json::object(),
                  alice_.next_code());
  EXPECT_EQ(own.status, 403) << own.raw;
  EXPECT_EQ(error_code(own), "permission_denied");
  EXPECT_NE(own.raw.find("cannot approve it too"), std::string::npos) << own.raw;
  auto no_code = call("POST", "/api/v1/changes/" + id + "/approve", bob.token, Json::object());
  EXPECT_EQ(error_code(no_code), "second_factor_required");
  EXPECT_EQ(call("GET", "/api/v1/tenants/doomed", alice_.token).status, 200);

  auto approved = call("POST", "/api/v1/changes/" + id + "/approve", bob.token,
                       Json{{"reason", "checked with the customer"}}, bob.next_code());
  ASSERT_EQ(approved.status, 200) << approved.raw;
  EXPECT_EQ(approved.body["change"]["state"], "executed");
  EXPECT_EQ(approved.body["change"]["decided_by"], bob.id());
  EXPECT_EQ(approved.body["result"]["deleted"], true);
  EXPECT_EQ(call("GET", "/api/v1/tenants/doomed", alice_.token).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/tenants/kept", alice_.token).status, 200);

  const auto deletions = audit_rows("tenant.delete");
  ASSERT_EQ(deletions.size(), 1U);  // it ran once, on approval
  EXPECT_EQ(deletions[0]["actor"], alice_.id());
  EXPECT_EQ(deletions[0]["detail"]["approved_by"], bob.id());
  EXPECT_EQ(deletions[0]["outcome"], "ok");
  const auto approvals = audit_rows("change.approve");
  ASSERT_EQ(approvals.size(), 2U);
  EXPECT_EQ(approvals[0]["outcome"], "permission_denied");
  EXPECT_EQ(approvals[0]["actor"], alice_.id());
  EXPECT_EQ(approvals[1]["outcome"], "ok");
  EXPECT_EQ(approvals[1]["actor"], bob.id());
  EXPECT_EQ(approvals[1]["detail"]["requester"], alice_.id());
  EXPECT_EQ(audit_rows("change.request").size(), 1U);
  EXPECT_EQ(run_ballast({"audit", "verify"}, dir_.path()).exit_code, 0);

  const auto doc = call("GET", "/api/v1/openapi.json", "").body;
  EXPECT_EQ(doc["paths"]["/api/v1/tenants/{name}"]["delete"]["x-approval"]["action"],
            "tenant.delete");
  EXPECT_EQ(doc["paths"]["/api/v1/changes/{id}/approve"]["post"]["x-second-factor"], "always");
}

TEST_F(ApprovalTest, ARejectedChangeNeverRunsAndTheCliShowsWhatWaits) {
  Holder bob = second_admin();
  auto cli = run_ballast({"tenant", "delete", "kept", "--confirm", "kept", "--reason", "test",
                          "--totp", alice_.next_code()},
                         dir_.path());
  EXPECT_EQ(cli.exit_code, 3) << "parked, not done" << cli.out << cli.err;
  EXPECT_NE(cli.out.find("Not done yet"), std::string::npos) << cli.out;
  EXPECT_NE(cli.out.find("needs a second approver"), std::string::npos) << cli.out;
  auto listed = run_ballast({"change", "list", "--output", "json"}, dir_.path());
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto changes = Json::parse(listed.out)["changes"];
  ASSERT_EQ(changes.size(), 1U);
  const std::string id = changes[0]["id"];
  EXPECT_EQ(changes[0]["target"], "tenant/kept");

  auto rejected = run_ballast({"change", "reject", id, "--reason", "not during month end", "--totp",
                               bob.next_code(), "--output", "json"},
                              dir_.path(), {{"BALLAST_TOKEN", bob.token}});
  ASSERT_EQ(rejected.exit_code, 0) << rejected.out << rejected.err;
  EXPECT_EQ(Json::parse(rejected.out)["change"]["state"], "rejected");
  auto late = call("POST", "/api/v1/changes/" + id + "/approve", bob.token, Json::object(),
                   bob.next_code());
  EXPECT_EQ(late.status, 409) << late.raw;
  EXPECT_NE(late.raw.find("is rejected, not pending"), std::string::npos) << late.raw;
  EXPECT_EQ(call("GET", "/api/v1/tenants/kept", alice_.token).status, 200);
  EXPECT_TRUE(audit_rows("tenant.delete").empty());
  const auto rejections = audit_rows("change.reject");
  ASSERT_EQ(rejections.size(), 1U);
  EXPECT_EQ(rejections[0]["actor"], bob.id());
  EXPECT_EQ(rejections[0]["detail"]["reason"], "not during month end");
  auto shown = run_ballast({"change", "show", id}, dir_.path());
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("state:     rejected"), std::string::npos) << shown.out;
  EXPECT_EQ(run_ballast({"change", "list", "--output", "json"}, dir_.path()).out.find(id),
            std::string::npos);  // closed changes only with --all
}

}  // namespace
}  // namespace ballast::testing
