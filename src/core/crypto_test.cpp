#include "core/crypto.h"

#include <gtest/gtest.h>

namespace ballast::core {
namespace {

TEST(Crypto, Sha256MatchesKnownVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, HexAndBase64RoundTrip) {
  const std::string bytes = random_bytes(33);
  EXPECT_EQ(hex_decode(hex_encode(bytes)).value(), bytes);
  EXPECT_EQ(base64_decode(base64_encode(bytes)).value(), bytes);
  EXPECT_FALSE(hex_decode("zz").has_value());
}

TEST(Crypto, SecretBoxRoundTripsAndRejectsTamperingAndWrongKey) {
  auto box = SecretBox::create(SecretBox::generate_key()).value();
  const std::string sealed = box.seal("database password");
  EXPECT_EQ(box.open(sealed).value().reveal(), "database password");
  EXPECT_EQ(sealed.find("database password"), std::string::npos);

  std::string tampered = sealed;
  tampered.back() = static_cast<char>(tampered.back() ^ 1);
  EXPECT_EQ(box.open(tampered).error().code(), ErrorCode::kCorrupt);

  auto other = SecretBox::create(SecretBox::generate_key()).value();
  EXPECT_EQ(other.open(sealed).error().code(), ErrorCode::kCorrupt);
  EXPECT_FALSE(SecretBox::create(Secret("short")).has_value());
}

TEST(Crypto, SecretNeverFormats) {
  const Secret secret("hunter2");
  EXPECT_EQ(fmt::format("{}", secret), "***");
  std::ostringstream out;
  out << secret;
  EXPECT_EQ(out.str(), "***");
  EXPECT_EQ(random_token(32).reveal().size(), 43U);
}

}  // namespace
}  // namespace ballast::core
