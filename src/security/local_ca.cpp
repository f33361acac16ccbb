#include "security/local_ca.h"

#include <memory>

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/crypto.h"
#include "core/file.h"
#include "core/text.h"

namespace ballast::security {
namespace {

namespace fs = std::filesystem;

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Certificate = std::unique_ptr<X509, decltype(&X509_free)>;
using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

core::Error openssl_error(std::string_view what) {
  std::array<char, 256> text{};
  ERR_error_string_n(ERR_get_error(), text.data(), text.size());
  return core::make_error(core::ErrorCode::kInternal, "{} failed: {}", what, text.data());
}

core::Result<Key> new_key() {
  Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), &EVP_PKEY_free);
  if (!key) return openssl_error("generating an EC P-256 key");
  return key;
}

std::string drain(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

std::string key_pem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return drain(bio.get());
}

std::string certificate_pem(X509* certificate) {
  Bio bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_X509(bio.get(), certificate);
  return drain(bio.get());
}

core::Result<Bio> open_pem(const fs::path& path) {
  BALLAST_ASSIGN_OR_RETURN(auto text, core::read_file(path, 64 * 1024));
  Bio bio(BIO_new(BIO_s_mem()), &BIO_free);
  BIO_write(bio.get(), text.data(), static_cast<int>(text.size()));
  return bio;
}

core::Status add_extension(X509* certificate, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (extension == nullptr) return openssl_error("adding extension " + value);
  const int added = X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
  if (added != 1) return openssl_error("adding extension " + value);
  return core::ok();
}

// An unsigned certificate for `key` named `common_name`, valid from a little before `now`.
core::Result<Certificate> new_certificate(EVP_PKEY* key, const std::string& common_name,
                                          core::SystemTime now, std::chrono::hours validity) {
  Certificate certificate(X509_new(), &X509_free);
  X509_set_version(certificate.get(), 2);
  const std::string serial = core::random_bytes(16);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> number(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(serial.data()), 16, nullptr), &BN_free);
  BN_set_bit(number.get(), 127);  // positive and of full length
  BN_clear_bit(number.get(), 128);
  BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(certificate.get()));
  const time_t start = core::unix_seconds(now) - 300;
  ASN1_TIME_set(X509_getm_notBefore(certificate.get()), start);
  ASN1_TIME_set(X509_getm_notAfter(certificate.get()),
                start + 300 + std::chrono::duration_cast<std::chrono::seconds>(validity).count());
  X509_set_pubkey(certificate.get(), key);
  X509_NAME* name = X509_get_subject_name(certificate.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                 -1, 0) != 1) {
    return openssl_error("naming the certificate");
  }
  return certificate;
}

bool is_ip_address(const std::string& text) {
  std::array<unsigned char, sizeof(in6_addr)> buffer{};
  return ::inet_pton(AF_INET, text.c_str(), buffer.data()) == 1 ||
         ::inet_pton(AF_INET6, text.c_str(), buffer.data()) == 1;
}

bool is_certificate_name(const std::string& domain) {
  const std::string_view name =
      domain.rfind("*.", 0) == 0 ? std::string_view(domain).substr(2) : std::string_view(domain);
  return core::is_dns_name(name) && name.find('.') != std::string_view::npos;
}

core::Status create_ca(const fs::path& dir, const std::string& name, core::SystemTime now) {
  BALLAST_TRY(core::ensure_dir(dir, 0700));
  BALLAST_ASSIGN_OR_RETURN(auto key, new_key());
  BALLAST_ASSIGN_OR_RETURN(auto ca,
                           new_certificate(key.get(), name, now, std::chrono::hours(24 * 3650)));
  X509_set_issuer_name(ca.get(), X509_get_subject_name(ca.get()));
  BALLAST_TRY(
      add_extension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
  BALLAST_TRY(add_extension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign"));
  BALLAST_TRY(add_extension(ca.get(), ca.get(), NID_subject_key_identifier, "hash"));
  if (X509_sign(ca.get(), key.get(), EVP_sha256()) <= 0) return openssl_error("signing the CA");
  BALLAST_TRY(core::write_file_atomic(dir / LocalCa::kKeyFile, key_pem(key.get()), 0600));
  return core::write_file_atomic(dir / LocalCa::kCertificateFile, certificate_pem(ca.get()), 0644);
}

}  // namespace

core::Result<LocalCa> LocalCa::open_or_create(const fs::path& dir, std::string_view name,
                                              const core::Clock& clock) {
  const fs::path certificate = dir / kCertificateFile;
  const fs::path key = dir / kKeyFile;
  if (!fs::exists(certificate) || !fs::exists(key)) {
    BALLAST_TRY(create_ca(dir, std::string(name), clock.now()));
  }
  BALLAST_ASSIGN_OR_RETURN(auto key_bio, open_pem(key));
  BALLAST_ASSIGN_OR_RETURN(auto cert_bio, open_pem(certificate));
  Key loaded_key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  Certificate loaded(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!loaded_key || !loaded || X509_check_private_key(loaded.get(), loaded_key.get()) != 1) {
    return core::make_error(core::ErrorCode::kCorrupt, "the local CA in '{}' is damaged",
                            dir.string())
        .with_hint("Move ca.crt and ca.key aside to create a new CA, then re-issue certificates.");
  }
  return LocalCa(certificate, key, clock);
}

core::Result<IssuedCertificate> LocalCa::issue(const std::vector<std::string>& domains,
                                               const fs::path& out_dir,
                                               std::chrono::hours validity) const {
  if (domains.empty()) return core::Error(core::ErrorCode::kInvalidArgument, "no domain given");
  std::vector<std::string> alt_names;
  for (const auto& domain : domains) {
    if (is_ip_address(domain)) {
      alt_names.push_back("IP:" + domain);  // the daemon's API on a loopback address
      continue;
    }
    if (!is_certificate_name(domain)) {
      return core::make_error(core::ErrorCode::kInvalidArgument, "'{}' is not a DNS name", domain)
          .with_hint("Give names such as erp.acme.example or *.acme.example.");
    }
    alt_names.push_back("DNS:" + domain);
  }
  BALLAST_ASSIGN_OR_RETURN(auto key_bio, open_pem(key_));
  BALLAST_ASSIGN_OR_RETURN(auto cert_bio, open_pem(certificate_));
  Key ca_key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  Certificate ca(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!ca_key || !ca) return openssl_error("reading the local CA");
  BALLAST_ASSIGN_OR_RETURN(auto key, new_key());
  BALLAST_ASSIGN_OR_RETURN(auto leaf,
                           new_certificate(key.get(), domains.front(), clock_->now(), validity));
  X509_set_issuer_name(leaf.get(), X509_get_subject_name(ca.get()));
  BALLAST_TRY(add_extension(leaf.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE"));
  BALLAST_TRY(add_extension(leaf.get(), ca.get(), NID_key_usage, "critical,digitalSignature"));
  BALLAST_TRY(add_extension(leaf.get(), ca.get(), NID_ext_key_usage, "serverAuth"));
  BALLAST_TRY(
      add_extension(leaf.get(), ca.get(), NID_subject_alt_name, core::join(alt_names, ",")));
  BALLAST_TRY(add_extension(leaf.get(), ca.get(), NID_authority_key_identifier, "keyid:always"));
  if (X509_sign(leaf.get(), ca_key.get(), EVP_sha256()) <= 0) return openssl_error("signing");
  BALLAST_TRY(core::ensure_dir(out_dir, 0700));
  const std::string stem = domains.front().rfind("*.", 0) == 0
                               ? "wildcard." + domains.front().substr(2)
                               : domains.front();
  IssuedCertificate issued{out_dir / (stem + ".crt"), out_dir / (stem + ".key"),
                           out_dir / (stem + ".chain.pem")};
  BALLAST_TRY(core::write_file_atomic(issued.key, key_pem(key.get()), 0600));
  BALLAST_TRY(core::write_file_atomic(issued.certificate, certificate_pem(leaf.get()), 0644));
  BALLAST_TRY(core::write_file_atomic(
      issued.chain, certificate_pem(leaf.get()) + certificate_pem(ca.get()), 0644));
  return issued;
}

}  // namespace ballast::security
