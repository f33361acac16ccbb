#include "components/odoo/password.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include "core/crypto.h"
#include "core/text.h"

namespace ballast::components::odoo {
namespace {

std::string ab64_encode(const std::string& bytes) {
  std::string text = core::base64_encode(bytes);
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (auto& c : text) {
    if (c == '+') c = '.';
  }
  return text;
}

core::Result<std::string> ab64_decode(std::string text) {
  for (auto& c : text) {
    if (c == '.') c = '+';
  }
  while (text.size() % 4 != 0) text += '=';
  return core::base64_decode(text);
}

std::string pbkdf2(const core::Secret& password, const std::string& salt, unsigned rounds) {
  std::string out(64, '\0');
  PKCS5_PBKDF2_HMAC(password.reveal().data(), static_cast<int>(password.reveal().size()),
                    reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), static_cast<int>(rounds), EVP_sha512(),
                    static_cast<int>(out.size()), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

}  // namespace

std::string hash_password(const core::Secret& password, unsigned rounds) {
  const std::string salt = core::random_bytes(16);
  return fmt::format("$pbkdf2-sha512${}${}${}", rounds, ab64_encode(salt),
                     ab64_encode(pbkdf2(password, salt, rounds)));
}

bool verify_password(const core::Secret& password, const std::string& hash) {
  const auto parts = core::split(hash, '$');
  if (parts.size() != 5 || !parts[0].empty() || parts[1] != "pbkdf2-sha512") return false;
  const unsigned long rounds = std::strtoul(parts[2].c_str(), nullptr, 10);
  if (rounds == 0 || rounds > 10'000'000) return false;
  auto salt = ab64_decode(parts[3]);
  auto expected = ab64_decode(parts[4]);
  if (!salt.has_value() || !expected.has_value()) return false;
  return core::equal_constant_time(pbkdf2(password, *salt, static_cast<unsigned>(rounds)),
                                   *expected);
}

}  // namespace ballast::components::odoo
