#include "catalog/change_store.h"

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "core/file.h"

namespace ballast::catalog {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;
using std::chrono::minutes;

class ChangeStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("ballast-changes-" + core::hex_encode(core::random_bytes(4)));
    catalog_ = Catalog::open(dir_, clock_, OpenMode::kCreate).value();
  }
  void TearDown() override {
    catalog_.reset();
    fs::remove_all(dir_);
  }
  ChangeRecord parked(const std::string& id, core::SystemTime at) {
    ChangeRecord r;
    r.id = id;
    r.action = "tenant.delete";
    r.operation = "deleteTenant";
    r.method = "DELETE";
    r.path = "/api/v1/tenants/acme";
    r.params = R"({"name":"acme"})";
    r.target = "tenant/acme";
    r.requester = "token:aaaaaaaaaaaa";
    r.created_at = at;
    r.expires_at = at + hours(1);
    EXPECT_TRUE(changes().create(r, core::Secret(R"({"confirm":"acme","reason":"gone"})")));
    return r;
  }
  ChangeStore& changes() { return catalog_->changes(); }

  core::ManualClock clock_{core::from_unix_seconds(1'790'000'000)};
  fs::path dir_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(ChangeStoreTest, AParkedChangeKeepsItsRequestSealedUntilItIsExecuted) {
  parked("c1", clock_.now());
  auto stored = changes().get("c1");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->state, ChangeState::kPending);
  EXPECT_EQ(stored->requester, "token:aaaaaaaaaaaa");
  EXPECT_EQ(stored->expires_at, clock_.now() + hours(1));
  EXPECT_EQ(changes().request_body("c1")->reveal(), R"({"confirm":"acme","reason":"gone"})");
  catalog_.reset();  // the body is not in the catalog file in clear
  EXPECT_EQ(core::read_file(dir_ / kCatalogFile, 1 << 24)->find("gone"), std::string::npos);
  catalog_ = Catalog::open(dir_, clock_, OpenMode::kExisting).value();

  ASSERT_TRUE(
      changes().decide("c1", ChangeState::kApproved, "token:bbbbbbbbbbbb", "", clock_.now()));
  EXPECT_TRUE(changes().request_body("c1").has_value());  // still needed to run it
  ASSERT_TRUE(changes().finish("c1", "ok"));
  auto done = changes().get("c1");
  EXPECT_EQ(done->state, ChangeState::kExecuted);
  EXPECT_EQ(done->decided_by, "token:bbbbbbbbbbbb");
  EXPECT_EQ(done->outcome, "ok");
  EXPECT_EQ(changes().request_body("c1").error().code(), core::ErrorCode::kNotFound);
}

TEST_F(ChangeStoreTest, OnlyAPendingChangeCanBeDecidedAndOnlyOnce) {
  parked("c1", clock_.now());
  ASSERT_TRUE(changes().decide("c1", ChangeState::kRejected, "token:b", "not now", clock_.now()));
  auto again = changes().decide("c1", ChangeState::kApproved, "token:c", "", clock_.now());
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code(), core::ErrorCode::kConflict);
  EXPECT_NE(again.error().message().find("is rejected, not pending"), std::string::npos);
  EXPECT_EQ(changes().get("c1")->reason, "not now");
  EXPECT_EQ(changes().request_body("c1").error().code(), core::ErrorCode::kNotFound);
  EXPECT_EQ(changes().finish("c1", "ok").error().code(), core::ErrorCode::kConflict);
  EXPECT_EQ(changes().get("nope").error().code(), core::ErrorCode::kNotFound);
}

TEST_F(ChangeStoreTest, ExpiryClosesOnlyChangesPastTheirDeadline) {
  parked("old", clock_.now());
  clock_.advance(minutes(30));
  parked("new", clock_.now());
  clock_.advance(minutes(30));  // "old" is exactly due, "new" has 30 minutes left
  auto expired = changes().expire_due(clock_.now());
  ASSERT_TRUE(expired.has_value());
  ASSERT_EQ(expired->size(), 1U);
  EXPECT_EQ(expired->front().id, "old");
  EXPECT_EQ(changes().get("old")->state, ChangeState::kExpired);
  EXPECT_EQ(changes().get("old")->decided_by, "daemon");
  EXPECT_EQ(changes().get("new")->state, ChangeState::kPending);
  auto late = changes().decide("old", ChangeState::kApproved, "token:b", "", clock_.now());
  EXPECT_EQ(late.error().code(), core::ErrorCode::kConflict);
  auto open = changes().list(false);
  ASSERT_EQ(open->size(), 1U);
  EXPECT_EQ(open->front().id, "new");
  EXPECT_EQ(changes().list(true)->size(), 2U);
}

TEST(ChangeStateTest, NamesRoundTrip) {
  for (const auto s : {ChangeState::kPending, ChangeState::kApproved, ChangeState::kRejected,
                       ChangeState::kExpired, ChangeState::kExecuted}) {
    EXPECT_EQ(change_state_from(to_string(s)), s);
  }
  EXPECT_FALSE(change_state_from("done").has_value());
}

}  // namespace
}  // namespace ballast::catalog
