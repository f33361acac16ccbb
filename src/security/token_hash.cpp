#include "security/token_hash.h"

#include <cstring>

#include <argon2.h>

#include "core/crypto.h"

namespace ballast::security {
namespace {

constexpr std::uint32_t kSaltBytes = 16;
constexpr std::uint32_t kHashBytes = 32;

}  // namespace

core::Result<std::string> hash_secret(const core::Secret& secret, const HashCost& cost) {
  const std::string salt = core::random_bytes(kSaltBytes);
  std::string encoded(argon2_encodedlen(cost.passes, cost.memory_kib, cost.lanes, kSaltBytes,
                                        kHashBytes, Argon2_id),
                      '\0');
  const std::string& plain = secret.reveal();
  const int rc =
      argon2id_hash_encoded(cost.passes, cost.memory_kib, cost.lanes, plain.data(), plain.size(),
                            salt.data(), salt.size(), kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    return core::make_error(core::ErrorCode::kInternal, "argon2id hashing failed: {}",
                            argon2_error_message(rc));
  }
  encoded.resize(std::strlen(encoded.c_str()));
  return encoded;
}

bool verify_secret(const core::Secret& secret, const std::string& encoded) {
  if (encoded.rfind("$argon2id$", 0) != 0) return false;
  const std::string& plain = secret.reveal();
  return argon2id_verify(encoded.c_str(), plain.data(), plain.size()) == ARGON2_OK;
}

}  // namespace ballast::security
