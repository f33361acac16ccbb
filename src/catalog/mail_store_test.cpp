#include "catalog/mail_store.h"

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "core/file.h"

namespace ballast::catalog {
namespace {

namespace fs = std::filesystem;

class MailStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ballast-mail-" + core::hex_encode(core::random_bytes(4)));
    catalog_ = Catalog::open(dir_, clock_, OpenMode::kCreate).value();
  }
  void TearDown() override {
    catalog_.reset();
    fs::remove_all(dir_);
  }
  MailStore& mail() { return catalog_->mail(); }
  std::int64_t add(const std::string& tenant, const std::string& subject, std::size_t keep = 100) {
    CaughtMail m;
    m.tenant = tenant;
    m.received_at = clock_.now();
    m.mail_from = "odoo@acme.example";
    m.recipients = {"customer@example.com", "boss@example.com"};
    m.subject = subject;
    m.message = "Subject: " + subject + "\r\n\r\nbody\r\n";
    return mail().add(m, keep).value();
  }

  core::ManualClock clock_{core::from_unix_seconds(1'790'000'000)};
  fs::path dir_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(MailStoreTest, KeepsEachTenantsMessagesApartNewestFirst) {
  const auto first = add("acme-staging", "Invoice INV/1");
  const auto second = add("acme-staging", "Password reset");
  add("globex-dev", "Welcome");
  EXPECT_GT(second, first);

  auto listed = mail().list("acme-staging", 10).value();
  ASSERT_EQ(listed.size(), 2U);
  EXPECT_EQ(listed[0].subject, "Password reset");
  EXPECT_EQ(listed[1].subject, "Invoice INV/1");
  EXPECT_EQ(listed[1].recipients,
            (std::vector<std::string>{"customer@example.com", "boss@example.com"}));
  EXPECT_TRUE(listed[0].message.empty()) << "a listing leaves the text out";
  EXPECT_EQ(listed[0].size_bytes, std::string("Subject: Password reset\r\n\r\nbody\r\n").size());

  auto one = mail().get("acme-staging", first).value();
  EXPECT_EQ(one.message, "Subject: Invoice INV/1\r\n\r\nbody\r\n");
  EXPECT_EQ(one.mail_from, "odoo@acme.example");

  auto other = mail().get("globex-dev", first);
  ASSERT_FALSE(other.has_value()) << "one tenant cannot read another's message by id";
  EXPECT_EQ(other.error().code(), core::ErrorCode::kNotFound);
}

TEST_F(MailStoreTest, KeepsOnlyTheNewestMessages) {
  for (int i = 0; i < 5; ++i) add("acme-staging", "m" + std::to_string(i), 3);
  add("globex-dev", "other", 3);
  auto listed = mail().list("acme-staging", 10).value();
  ASSERT_EQ(listed.size(), 3U);
  EXPECT_EQ(listed[0].subject, "m4");
  EXPECT_EQ(listed[2].subject, "m2");
  EXPECT_EQ(mail().count("globex-dev").value(), 1U);
}

TEST_F(MailStoreTest, ClearForgetsOneTenantOnly) {
  add("acme-staging", "a");
  add("acme-staging", "b");
  add("globex-dev", "c");
  EXPECT_EQ(mail().clear("acme-staging").value(), 2U);
  EXPECT_EQ(mail().count("acme-staging").value(), 0U);
  EXPECT_EQ(mail().count("globex-dev").value(), 1U);
}

// A copy's mail can hold production customers' data: the catalog file shows none of it, an
// altered row is refused by name, and the tenant's secrets going makes its mail unreadable.
TEST_F(MailStoreTest, MailIsSealedAtRest) {
  const auto id = add("acme-staging", "Invoice for Jane Customer");
  {
    auto guard = catalog_->db().lock();
    ASSERT_TRUE(catalog_->db().exec("PRAGMA wal_checkpoint(TRUNCATE)").has_value());
  }
  const auto file = core::read_file(dir_ / "catalog.db").value();
  ASSERT_NE(file.find("acme-staging"), std::string::npos) << "the row is in the file";
  EXPECT_EQ(file.find("Jane Customer"), std::string::npos);
  EXPECT_EQ(file.find("customer@example.com"), std::string::npos);
  EXPECT_EQ(file.find("odoo@acme.example"), std::string::npos);
  EXPECT_EQ(mail().get("acme-staging", id)->subject, "Invoice for Jane Customer");

  {
    auto guard = catalog_->db().lock();
    auto flip = catalog_->db()
                    .prepare(
                        "UPDATE caught_mail SET subject = substr(subject, 1, 30) || "
                        "x'00' || substr(subject, 32) WHERE id = ?1")
                    .value();
    flip.bind(1, id);
    ASSERT_TRUE(flip.run().has_value());
  }
  auto altered = mail().list("acme-staging", 10);
  ASSERT_FALSE(altered.has_value());
  EXPECT_EQ(altered.error().code(), core::ErrorCode::kCorrupt);
  EXPECT_NE(altered.error().message().find("caught message " + std::to_string(id)),
            std::string::npos)
      << altered.error().message();

  const auto second = add("globex-dev", "Welcome");
  ASSERT_TRUE(catalog_->secrets().remove_scope("tenant/globex-dev").has_value());
  EXPECT_FALSE(mail().get("globex-dev", second).has_value());
}

}  // namespace
}  // namespace ballast::catalog
