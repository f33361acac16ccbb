#include "security/certificate_inspection.h"

#include <algorithm>
#include <ctime>
#include <memory>

#include <fmt/format.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/text.h"

namespace ballast::security {
namespace {

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
using Certificate = std::unique_ptr<X509, decltype(&X509_free)>;
using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Problem = CertificateProblem;

Bio memory_bio(std::string_view text) {
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), &BIO_free);
}

// Refuses to prompt for a passphrase: an encrypted key is reported, never asked for.
int no_passphrase(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* /*user*/) { return -1; }

std::vector<Certificate> read_chain(std::string_view pem) {
  std::vector<Certificate> chain;
  auto bio = memory_bio(pem);
  while (true) {
    Certificate next(PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr), &X509_free);
    if (!next) break;
    chain.push_back(std::move(next));
  }
  return chain;
}

core::SystemTime to_time(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) return {};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::vector<std::string> dns_names(X509* leaf) {
  std::vector<std::string> names;
  auto* general =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(leaf, NID_subject_alt_name, nullptr, nullptr));
  if (general == nullptr) return names;
  for (int i = 0; i < sk_GENERAL_NAME_num(general); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(general, i);
    if (name->type != GEN_DNS) continue;
    const ASN1_IA5STRING* text = name->d.dNSName;
    names.push_back(
        lower(std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                               static_cast<std::size_t>(ASN1_STRING_length(text)))));
  }
  GENERAL_NAMES_free(general);
  return names;
}

std::string subject_of(X509* leaf) {
  Bio bio(BIO_new(BIO_s_mem()), &BIO_free);
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(leaf), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

std::string serial_of(X509* leaf) {
  std::unique_ptr<BIGNUM, decltype(&BN_free)> number(
      ASN1_INTEGER_to_BN(X509_get0_serialNumber(leaf), nullptr), &BN_free);
  if (!number) return "";
  char* hex = BN_bn2hex(number.get());
  std::string out = hex != nullptr ? hex : "";
  OPENSSL_free(hex);
  return out;
}

std::string day_of(core::SystemTime time) { return core::format_rfc3339(time); }

void check_dates(CertificateInspection& out, core::SystemTime now) {
  if (now < out.not_before) {
    out.problems.push_back(
        {Problem::File::kCertificate, false,
         fmt::format("is not valid before {}; check this host's clock, or give the certificate "
                     "in use today",
                     day_of(out.not_before))});
  } else if (now > out.not_after) {
    out.problems.push_back(
        {Problem::File::kCertificate, false,
         fmt::format("expired on {}; renew it and apply again", day_of(out.not_after))});
  } else if (out.not_after - now < kCertificateExpiryWarning) {
    const auto hours_left =
        std::chrono::duration_cast<std::chrono::hours>(out.not_after - now).count();
    const auto days = (hours_left + 23) / 24;  // the last day counts as one, not zero
    out.problems.push_back({Problem::File::kCertificate, true,
                            fmt::format("expires on {} (in {} days); renew it and apply again",
                                        day_of(out.not_after), days)});
  }
}

void check_names(CertificateInspection& out, const std::vector<std::string>& domains) {
  for (const auto& domain : domains) {
    const bool is_covered = std::any_of(out.dns_names.begin(), out.dns_names.end(),
                                        [&](const std::string& n) { return covers(n, domain); });
    if (is_covered) continue;
    out.problems.push_back(
        {Problem::File::kCertificate, false,
         fmt::format("does not cover domain '{}' (it names {}); give a certificate whose subject "
                     "alternative names include it (a wildcard covers one label)",
                     domain,
                     out.dns_names.empty() ? "no DNS names"
                                           : "'" + core::join(out.dns_names, "', '") + "'")});
  }
}

void check_key(CertificateInspection& out, X509* leaf, std::string_view pem_key) {
  auto bio = memory_bio(pem_key);
  Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr), &EVP_PKEY_free);
  if (!key) {
    out.problems.push_back(
        {Problem::File::kKey, false,
         "is not an unencrypted PEM private key; give the key without a passphrase (for "
         "example 'openssl pkey -in KEY -out KEY.pem')"});
    return;
  }
  if (X509_check_private_key(leaf, key.get()) != 1) {
    out.problems.push_back(
        {Problem::File::kKey, false,
         "does not match the certificate; give the key the certificate was issued for (the "
         "leaf must come first in the certificate file)"});
  }
}

}  // namespace

bool CertificateInspection::has_errors() const {
  return std::any_of(problems.begin(), problems.end(),
                     [](const CertificateProblem& p) { return !p.is_warning; });
}

bool covers(std::string_view pattern, std::string_view domain) {
  const std::string p = lower(pattern);
  const std::string d = lower(domain);
  if (p.rfind("*.", 0) != 0) return p == d;
  const std::string_view suffix = std::string_view(p).substr(1);  // ".acme.example"
  if (d.size() <= suffix.size() ||
      d.compare(d.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return false;
  }
  const std::string_view label = std::string_view(d).substr(0, d.size() - suffix.size());
  return label.find('.') == std::string_view::npos;
}

CertificateInspection inspect_certificate(std::string_view pem_chain, std::string_view pem_key,
                                          const std::vector<std::string>& domains,
                                          core::SystemTime now) {
  CertificateInspection out;
  const auto chain = read_chain(pem_chain);
  out.chain_length = chain.size();
  if (chain.empty()) {
    out.problems.push_back(
        {Problem::File::kCertificate, false,
         "is not a PEM certificate (no '-----BEGIN CERTIFICATE-----' block could be read); give "
         "the certificate first, then its intermediates, all in PEM"});
    ERR_clear_error();
    return out;
  }
  X509* leaf = chain.front().get();
  out.subject = subject_of(leaf);
  out.serial_hex = serial_of(leaf);
  out.not_before = to_time(X509_get0_notBefore(leaf));
  out.not_after = to_time(X509_get0_notAfter(leaf));
  out.dns_names = dns_names(leaf);
  if (!pem_key.empty()) check_key(out, leaf, pem_key);
  check_dates(out, now);
  check_names(out, domains);
  ERR_clear_error();  // leave no failure of ours for the next caller of OpenSSL on this thread
  return out;
}

}  // namespace ballast::security
