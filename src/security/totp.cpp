#include "security/totp.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>
#include <liboath/oath.h>

#include "core/crypto.h"

namespace ballast::security::totp {
namespace {

void ensure_oath() {
  static const int status = oath_init();
  (void)status;  // oath_init only fails on allocation; calls below then report errors
}

std::string percent_encode(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

bool is_code(std::string_view code) {
  if (code.size() != kDigits) return false;
  return std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

core::Secret generate_secret() { return core::Secret(core::random_bytes(kSecretBytes)); }

core::Secret base32(const core::Secret& secret) {
  ensure_oath();
  char* out = nullptr;
  std::size_t length = 0;
  const auto& raw = secret.reveal();
  if (oath_base32_encode(raw.data(), raw.size(), &out, &length) != OATH_OK || out == nullptr) {
    return core::Secret();
  }
  std::unique_ptr<char, decltype(&std::free)> owned(out, &std::free);
  std::string text(out, length);
  while (!text.empty() && text.back() == '=') text.pop_back();
  return core::Secret(std::move(text));
}

core::Result<core::Secret> from_base32(std::string_view text) {
  ensure_oath();
  char* out = nullptr;
  std::size_t length = 0;
  const std::string padded = std::string(text) + std::string((8 - text.size() % 8) % 8, '=');
  if (oath_base32_decode(padded.data(), padded.size(), &out, &length) != OATH_OK ||
      out == nullptr) {
    return core::Error(core::ErrorCode::kInvalidArgument, "the TOTP secret is not base32");
  }
  std::unique_ptr<char, decltype(&std::free)> owned(out, &std::free);
  return core::Secret(std::string(out, length));
}

core::Secret uri(const core::Secret& secret, std::string_view issuer, std::string_view account) {
  return core::Secret(
      fmt::format("otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={}&period={}",
                  percent_encode(issuer), percent_encode(account), base32(secret).reveal(),
                  percent_encode(issuer), kDigits, kStepSeconds));
}

core::Result<std::string> code_at(const core::Secret& secret, core::SystemTime at) {
  ensure_oath();
  char code[kDigits + 1] = {};
  const auto& raw = secret.reveal();
  const int rc = oath_totp_generate(raw.data(), raw.size(), core::unix_seconds(at), kStepSeconds,
                                    OATH_TOTP_DEFAULT_START_TIME, kDigits, code);
  if (rc != OATH_OK) {
    return core::make_error(core::ErrorCode::kInternal, "TOTP generation failed: {}",
                            oath_strerror(rc));
  }
  return std::string(code, kDigits);
}

std::optional<std::int64_t> match(const core::Secret& secret, std::string_view code,
                                  core::SystemTime now) {
  if (!is_code(code)) return std::nullopt;
  ensure_oath();
  const std::string text(code);
  const auto& raw = secret.reveal();
  int position = 0;
  std::uint64_t counter = 0;
  const int rc =
      oath_totp_validate3(raw.data(), raw.size(), core::unix_seconds(now), kStepSeconds,
                          OATH_TOTP_DEFAULT_START_TIME, 1, &position, &counter, text.c_str());
  if (rc < 0) return std::nullopt;
  return static_cast<std::int64_t>(counter);
}

}  // namespace ballast::security::totp
