// Cryptographic primitives (libsodium, OpenSSL): hashing, randomness and the secret box.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/secret.h"

namespace ballast::core {

// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);
std::string hex_encode(std::string_view bytes);
Result<std::string> hex_decode(std::string_view hex);
std::string base64_encode(std::string_view bytes);
Result<std::string> base64_decode(std::string_view text);

// Incremental SHA-256, for streams.
// Streaming SHA-256 (OpenSSL's, which uses the CPU's SHA extensions: about 5x libsodium's
// portable one here, and backups hash every byte twice).
class Sha256 final {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view data);
  // Lower-case hex; the object may not be updated afterwards.
  std::string finish();

 private:
  void* context_;  // EVP_MD_CTX
};

// Cryptographically secure random bytes.
std::string random_bytes(std::size_t count);
// A random secret of `bytes` entropy, URL-safe (letters, digits, '-' and '_').
Secret random_token(std::size_t bytes = 32);
// Constant-time comparison.
bool equal_constant_time(std::string_view a, std::string_view b);

// Authenticated encryption under a 32-byte key (XSalsa20-Poly1305, libsodium secretbox).
// Thread-safe: holds only the key.
class SecretBox final {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  // `key` must be exactly kKeyBytes bytes.
  static Result<SecretBox> create(const Secret& key);
  static Secret generate_key();

  // nonce || ciphertext; a fresh random nonce every call.
  [[nodiscard]] std::string seal(std::string_view plaintext) const;
  // kCorrupt when the box was altered or sealed under another key.
  [[nodiscard]] Result<Secret> open(std::string_view sealed) const;
  // A short public name of the key (16 hex digits of a hash of it), to tell keys apart.
  [[nodiscard]] std::string key_id() const;

 private:
  explicit SecretBox(Secret key) : key_(std::move(key)) {}
  Secret key_;
};

}  // namespace ballast::core
