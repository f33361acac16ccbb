// Argon2id hashes of token secrets (libargon2): only the hash is stored; verification is
// constant-time in the secret.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "core/secret.h"

namespace ballast::security {

// Argon2id cost. The default follows OWASP's minimum (19 MiB, 2 passes, 1 lane); tests use a
// cheap one. The encoded hash records its cost, so hashes of different costs verify alike.
struct HashCost {
  std::uint32_t passes = 2;
  std::uint32_t memory_kib = 19 * 1024;
  std::uint32_t lanes = 1;
};

inline constexpr HashCost kTestHashCost{1, 64, 1};

// "$argon2id$v=19$m=…,t=…,p=…$salt$hash" with a fresh 16-byte salt. kInternal on failure.
core::Result<std::string> hash_secret(const core::Secret& secret, const HashCost& cost = {});
// True when `secret` matches `encoded`; false on mismatch or a malformed hash.
bool verify_secret(const core::Secret& secret, const std::string& encoded);

}  // namespace ballast::security
