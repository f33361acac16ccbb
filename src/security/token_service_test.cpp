// Tokens: format, hashing, verification, expiry, revocation, bootstrap; TOTP; rate limits.
#include "security/token_service.h"

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "core/crypto.h"
#include "core/file.h"
#include "core/text.h"
#include "security/rate_limiter.h"
#include "security/second_factor.h"
#include "security/totp.h"

namespace ballast::security {
namespace {

namespace fs = std::filesystem;

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ballast-sec-" + core::hex_encode(core::random_bytes(4)));
    catalog_ = catalog::Catalog::open(dir_, clock_, catalog::OpenMode::kCreate).value();
    tokens_ = std::make_unique<TokenService>(catalog_->tokens(), clock_, kTestHashCost);
    factors_ = std::make_unique<SecondFactorService>(catalog_->second_factors(),
                                                     catalog_->secrets(), clock_, "Ballast test");
  }
  void TearDown() override {
    tokens_.reset();
    factors_.reset();
    catalog_.reset();
    fs::remove_all(dir_);
  }
  CreatedToken make(Role role, std::vector<std::string> tenants = {},
                    std::optional<std::chrono::seconds> expires = std::nullopt) {
    auto made = tokens_->create(TokenRequest{"test", role, std::move(tenants), expires}, "daemon");
    EXPECT_TRUE(made.has_value()) << made.error().to_string();
    return std::move(made).value();
  }

  core::ManualClock clock_{core::from_unix_seconds(1'790'000'000)};
  fs::path dir_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<TokenService> tokens_;
  std::unique_ptr<SecondFactorService> factors_;
};

TEST_F(SecurityTest, TokensHaveTheDocumentedShapeAndOnlyTheirHashIsStored) {
  const auto made = make(Role::kOperator);
  const std::string& token = made.token.reveal();
  ASSERT_EQ(token.rfind("bt_" + made.record.id + "_", 0), 0U) << token;
  EXPECT_EQ(made.record.id.size(), kTokenIdHexDigits);
  const auto stored = catalog_->tokens().find(made.record.id).value().value();
  EXPECT_EQ(stored.hash.rfind("$argon2id$", 0), 0U);
  EXPECT_EQ(stored.hash.find(token.substr(16)), std::string::npos);
  const auto parsed = parse_token(token);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->id, made.record.id);
  EXPECT_FALSE(parse_token("bt_XYZ_abc").has_value());
  EXPECT_FALSE(parse_token("not-a-token").has_value());
  EXPECT_FALSE(parse_token("bt_0123456789ab").has_value());
}

TEST_F(SecurityTest, AuthenticatesOnlyTheExactSecret) {
  const auto made = make(Role::kTenantAdmin, {"acme"});
  auto principal = tokens_->authenticate(made.token.reveal());
  ASSERT_TRUE(principal.has_value()) << principal.error().to_string();
  EXPECT_EQ(principal->id, "token:" + made.record.id);
  EXPECT_EQ(principal->role, Role::kTenantAdmin);
  EXPECT_EQ(principal->tenants, std::vector<std::string>{"acme"});
  // Twice: the second time comes from the verified cache, and must still be exact.
  EXPECT_TRUE(tokens_->authenticate(made.token.reveal()).has_value());
  std::string wrong = made.token.reveal();
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  auto refused = tokens_->authenticate(wrong);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), core::ErrorCode::kUnauthenticated);
  EXPECT_EQ(refused.error().message().find(made.token.reveal()), std::string::npos);
  EXPECT_FALSE(tokens_->authenticate("bt_ffffffffffff_nothing").has_value());
  EXPECT_FALSE(tokens_->authenticate("").has_value());
}

TEST_F(SecurityTest, ExpiredAndRevokedTokensAreRefused) {
  const auto expiring = make(Role::kAuditor, {}, std::chrono::hours(1));
  EXPECT_TRUE(tokens_->authenticate(expiring.token.reveal()).has_value());
  clock_.advance(std::chrono::hours(2));
  auto expired = tokens_->authenticate(expiring.token.reveal());
  ASSERT_FALSE(expired.has_value());
  EXPECT_NE(expired.error().message().find("expired"), std::string::npos);

  const auto revoked = make(Role::kOperator);
  ASSERT_TRUE(tokens_->revoke(revoked.record.id, "token:admin").has_value());
  auto refused = tokens_->authenticate(revoked.token.reveal());
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), core::ErrorCode::kUnauthenticated);
  EXPECT_NE(refused.error().message().find("revoked"), std::string::npos);
}

TEST_F(SecurityTest, RefusesBadRequests) {
  auto code = [&](TokenRequest r) { return tokens_->create(r, "x").error().code(); };
  EXPECT_EQ(code({"", Role::kAuditor, {}, std::nullopt}), core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(code({"t", Role::kTenantAdmin, {}, std::nullopt}), core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(code({"t", Role::kOperator, {"acme"}, std::nullopt}),
            core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(code({"t", Role::kTenantAdmin, {"../etc"}, std::nullopt}),
            core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(code({"t\n", Role::kAuditor, {}, std::nullopt}), core::ErrorCode::kInvalidArgument);
}

TEST_F(SecurityTest, BootstrapTokenIsKeptWhileValidAndReissuedOtherwise) {
  const auto file = dir_ / "api.token";
  auto first = tokens_->ensure_bootstrap(file);
  ASSERT_TRUE(first.has_value() && first->has_value());
  EXPECT_EQ((*first)->role, "platform-admin");
  const std::string token = core::read_file(file).value();
  EXPECT_FALSE(tokens_->ensure_bootstrap(file).value().has_value());  // kept
  EXPECT_EQ(core::read_file(file).value(), token);
  ASSERT_TRUE(core::write_file_atomic(file, "an-old-style-token\n", 0600).has_value());
  auto again = tokens_->ensure_bootstrap(file);
  ASSERT_TRUE(again.has_value() && again->has_value());
  EXPECT_TRUE(
      tokens_->authenticate(std::string(core::trim(core::read_file(file).value()))).has_value());
}

TEST_F(SecurityTest, TotpMatchesRfc6238Vectors) {
  // RFC 6238 appendix B, SHA-1 secret "12345678901234567890", last 6 digits.
  const core::Secret secret("12345678901234567890");
  EXPECT_EQ(totp::code_at(secret, core::from_unix_seconds(59)).value(), "287082");
  EXPECT_EQ(totp::code_at(secret, core::from_unix_seconds(1111111109)).value(), "081804");
  EXPECT_EQ(totp::code_at(secret, core::from_unix_seconds(2000000000)).value(), "279037");
  EXPECT_EQ(totp::base32(secret).reveal(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  const auto now = core::from_unix_seconds(1111111109);
  const auto code = totp::code_at(secret, now).value();
  EXPECT_EQ(totp::match(secret, code, now), 1111111109 / 30);
  EXPECT_TRUE(totp::match(secret, code, now + std::chrono::seconds(30)).has_value());
  EXPECT_FALSE(totp::match(secret, code, now + std::chrono::seconds(90)).has_value());
  EXPECT_FALSE(totp::match(secret, "12345", now).has_value());
  EXPECT_FALSE(totp::match(secret, "abcdef", now).has_value());
  const auto uri = totp::uri(secret, "Ballast prod", "token:ab").reveal();
  EXPECT_EQ(uri.rfind("otpauth://totp/Ballast%20prod:token%3Aab?secret=GEZDGNBV", 0), 0U) << uri;
}

TEST_F(SecurityTest, SecondFactorNeedsConfirmationAndAcceptsEachCodeOnce) {
  const std::string holder = "token:0123456789ab";
  EXPECT_EQ(factors_->verify(holder, "123456").error().code(),
            core::ErrorCode::kSecondFactorRequired);
  auto enrolment = factors_->enroll(holder, "acct");
  ASSERT_TRUE(enrolment.has_value());
  const core::Secret secret = catalog_->secrets().get("holder/" + holder, "totp").value();
  EXPECT_EQ(totp::base32(secret).reveal(), enrolment->secret_base32.reveal());
  EXPECT_FALSE(factors_->is_enrolled(holder).value());
  const auto now_code = [&] { return totp::code_at(secret, clock_.now()).value(); };
  EXPECT_EQ(factors_->verify(holder, now_code()).error().code(),
            core::ErrorCode::kSecondFactorRequired);  // not yet confirmed
  ASSERT_TRUE(factors_->confirm(holder, now_code()).has_value());
  EXPECT_TRUE(factors_->is_enrolled(holder).value());
  clock_.advance(std::chrono::seconds(30));
  const std::string code = now_code();
  EXPECT_TRUE(factors_->verify(holder, code).has_value());
  auto replay = factors_->verify(holder, code);
  ASSERT_FALSE(replay.has_value());
  EXPECT_NE(replay.error().message().find("already used"), std::string::npos);
  EXPECT_EQ(factors_->verify(holder, "000000").error().code(),
            core::ErrorCode::kSecondFactorRequired);
  ASSERT_TRUE(factors_->remove(holder).has_value());
  EXPECT_FALSE(factors_->is_enrolled(holder).value());
}

TEST(RateLimiterTest, RefillsAtTheConfiguredRate) {
  core::ManualClock clock(core::from_unix_seconds(0));
  RateLimiter limiter(clock, RateLimit{2, 4}, 3);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(limiter.take("a").is_allowed) << i;
  auto refused = limiter.take("a");
  EXPECT_FALSE(refused.is_allowed);
  EXPECT_EQ(refused.retry_after, std::chrono::seconds(1));
  EXPECT_TRUE(limiter.take("b").is_allowed);  // buckets are per key
  clock.advance(std::chrono::milliseconds(500));
  EXPECT_TRUE(limiter.take("a").is_allowed);
  EXPECT_FALSE(limiter.take("a").is_allowed);
  for (int i = 0; i < 10; ++i) limiter.take("k" + std::to_string(i));  // bounded memory
  clock.advance(std::chrono::seconds(10));
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(limiter.take("a").is_allowed);
}

}  // namespace
}  // namespace ballast::security
