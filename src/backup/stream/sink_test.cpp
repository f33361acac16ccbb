#include "backup/stream/sink.h"

#include <gtest/gtest.h>

namespace ballast::backup {
namespace {

std::string through_pipeline(const std::string& input, const core::Secret& key) {
  StringSink out;
  Encryptor encrypt(out, key);
  ZstdCompressor compress(encrypt, 3, 2);
  for (std::size_t i = 0; i < input.size(); i += 100'000) {
    EXPECT_TRUE(compress.write(std::string_view(input).substr(i, 100'000)).has_value());
  }
  EXPECT_TRUE(compress.finish().has_value());
  return out.data();
}

core::Result<std::string> back(const std::string& sealed, const core::Secret& key) {
  StringSink out;
  ZstdDecompressor decompress(out);
  Decryptor decrypt(decompress, key, "test-object");
  BALLAST_TRY(decrypt.write(sealed));
  BALLAST_TRY(decrypt.finish());
  return out.data();
}

std::string sample() {
  std::string text;
  for (int i = 0; i < 40000; ++i) text += "timesheet line " + std::to_string(i % 977) + " 7.5h\n";
  return text + core::random_bytes(300'000);  // half compressible, half not
}

TEST(Pipeline, RoundTripsAndCompresses) {
  const auto key = core::SecretBox::generate_key();
  const std::string input = sample();
  const std::string sealed = through_pipeline(input, key);
  EXPECT_LT(sealed.size(), input.size());
  EXPECT_EQ(sealed.find("timesheet line"), std::string::npos);
  EXPECT_EQ(back(sealed, key).value(), input);
}

TEST(Pipeline, DetectsAFlippedBit) {
  const auto key = core::SecretBox::generate_key();
  std::string sealed = through_pipeline(sample(), key);
  sealed[sealed.size() / 2] = static_cast<char>(sealed[sealed.size() / 2] ^ 0x10);
  auto result = back(sealed, key);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), core::ErrorCode::kCorrupt);
  EXPECT_NE(result.error().message().find("test-object"), std::string::npos);
}

TEST(Pipeline, DetectsTruncationAndAWrongKey) {
  const auto key = core::SecretBox::generate_key();
  const std::string sealed = through_pipeline(sample(), key);
  auto truncated = back(sealed.substr(0, sealed.size() - 1000), key);
  ASSERT_FALSE(truncated.has_value());
  EXPECT_NE(truncated.error().message().find("truncated"), std::string::npos);
  auto wrong = back(sealed, core::SecretBox::generate_key());
  ASSERT_FALSE(wrong.has_value());
  EXPECT_NE(wrong.error().message().find("the key is wrong"), std::string::npos);
}

TEST(Pipeline, DocumentsSealAndOpen) {
  const auto key = core::SecretBox::generate_key();
  const auto sealed = seal_document("{\"manifest\": true}", key).value();
  EXPECT_EQ(open_document(sealed, key, "manifest").value(), "{\"manifest\": true}");
  EXPECT_FALSE(open_document(sealed, core::SecretBox::generate_key(), "manifest").has_value());
}

}  // namespace
}  // namespace ballast::backup
