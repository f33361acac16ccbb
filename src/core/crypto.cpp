#include "core/crypto.h"

#include <stdexcept>

#include <openssl/evp.h>
#include <sodium.h>

namespace ballast::core {
namespace {

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* bytes_of(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

EVP_MD_CTX* md(void* context) { return static_cast<EVP_MD_CTX*>(context); }

void ensure_sodium() {
  static const int status = sodium_init();
  if (status < 0) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  Sha256 hash;
  hash.update(data);
  return hash.finish();
}

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  if (context_ == nullptr || EVP_DigestInit_ex(md(context_), EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL could not start a SHA-256");
  }
}

Sha256::~Sha256() { EVP_MD_CTX_free(md(context_)); }

void Sha256::update(std::string_view data) {
  if (EVP_DigestUpdate(md(context_), data.data(), data.size()) != 1) {
    throw std::runtime_error("OpenSSL SHA-256 update failed");
  }
}

std::string Sha256::finish() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(md(context_), digest.data(), &length) != 1) {
    throw std::runtime_error("OpenSSL SHA-256 final failed");
  }
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), length));
}

std::string hex_encode(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes_of(bytes), bytes.size());
  out.pop_back();
  return out;
}

Result<std::string> hex_decode(std::string_view hex) {
  std::string out(hex.size() / 2, '\0');
  std::size_t written = 0;
  if (hex.size() % 2 != 0 ||
      sodium_hex2bin(bytes_of(out), out.size(), hex.data(), hex.size(), nullptr, &written,
                     nullptr) != 0 ||
      written != out.size()) {
    return make_error(ErrorCode::kInvalidArgument, "'{}…' is not valid hex",
                      hex.substr(0, std::min<std::size_t>(hex.size(), 8)));
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  ensure_sodium();
  const auto variant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes_of(bytes), bytes.size(), variant);
  out.resize(out.size() - 1);
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  ensure_sodium();
  std::string out(text.size(), '\0');
  std::size_t written = 0;
  if (sodium_base642bin(bytes_of(out), out.size(), text.data(), text.size(), " \n\r\t", &written,
                        nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return make_error(ErrorCode::kInvalidArgument, "text is not valid base64");
  }
  out.resize(written);
  return out;
}

std::string random_bytes(std::size_t count) {
  ensure_sodium();
  std::string out(count, '\0');
  randombytes_buf(out.data(), count);
  return out;
}

Secret random_token(std::size_t bytes) {
  const std::string raw = random_bytes(bytes);
  const auto variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(raw.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes_of(raw), raw.size(), variant);
  out.resize(out.size() - 1);
  return Secret(std::move(out));
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<SecretBox> SecretBox::create(const Secret& key) {
  ensure_sodium();
  if (key.reveal().size() != kKeyBytes) {
    return make_error(ErrorCode::kCorrupt, "key is {} bytes, expected {}", key.reveal().size(),
                      kKeyBytes);
  }
  return SecretBox(key);
}

Secret SecretBox::generate_key() { return Secret(random_bytes(kKeyBytes)); }

std::string SecretBox::seal(std::string_view plaintext) const {
  std::string out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  randombytes_buf(out.data(), crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(bytes_of(out) + crypto_secretbox_NONCEBYTES, bytes_of(plaintext),
                        plaintext.size(), bytes_of(out), bytes_of(key_.reveal()));
  return out;
}

Result<Secret> SecretBox::open(std::string_view sealed) const {
  constexpr std::size_t kOverhead = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
  if (sealed.size() < kOverhead) {
    return make_error(ErrorCode::kCorrupt, "sealed value is truncated ({} bytes)", sealed.size());
  }
  std::string plain(sealed.size() - kOverhead, '\0');
  if (crypto_secretbox_open_easy(bytes_of(plain), bytes_of(sealed) + crypto_secretbox_NONCEBYTES,
                                 sealed.size() - crypto_secretbox_NONCEBYTES, bytes_of(sealed),
                                 bytes_of(key_.reveal())) != 0) {
    sodium_memzero(plain.data(), plain.size());
    return make_error(ErrorCode::kCorrupt, "sealed value failed authentication")
        .with_hint("The value was altered or sealed under a different master key.");
  }
  return Secret(std::move(plain));
}

std::string SecretBox::key_id() const {
  return sha256_hex("ballast-key-id:" + key_.reveal()).substr(0, 16);
}

Secret::~Secret() {
  if (!value_.empty()) sodium_memzero(value_.data(), value_.size());
}

bool operator==(const Secret& a, const Secret& b) {
  return equal_constant_time(a.value_, b.value_);
}

}  // namespace ballast::core
