// Inspects a PEM certificate (leaf, then its chain) and optionally its private key (OpenSSL 3):
// the dates and names it carries, and what is wrong with serving it for some domains now.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace ballast::security {

// How long before expiry a certificate draws a warning.
inline constexpr auto kCertificateExpiryWarning = std::chrono::hours(24 * 14);

struct CertificateProblem {
  enum class File { kCertificate, kKey };
  File file = File::kCertificate;  // which of the two files is at fault
  bool is_warning = false;         // expires soon: served, but someone must act
  // A predicate about the file, then what to do: "does not cover domain 'x' (…); get …".
  std::string message;
};

struct CertificateInspection {
  std::string subject;     // the leaf's subject, "CN=erp.acme.example"
  std::string serial_hex;  // the leaf's serial number, upper-case hex
  core::SystemTime not_before{};
  core::SystemTime not_after{};
  std::vector<std::string> dns_names;  // the leaf's DNS subject alternative names, lower case
  std::size_t chain_length = 0;        // certificates read, the leaf included
  std::vector<CertificateProblem> problems;

  [[nodiscard]] bool has_errors() const;
};

// Reads the certificates of `pem_chain` (the first is the leaf) and checks, at `now`: that
// there is one, that `pem_key` (when not empty) is an unencrypted PEM private key matching the
// leaf, that the leaf is valid now (and a warning within kCertificateExpiryWarning of its end),
// and that its DNS SANs cover every one of `domains`. Never fails: problems are reported in the
// result, and no key material is ever copied into a message. Thread-safe.
CertificateInspection inspect_certificate(std::string_view pem_chain, std::string_view pem_key,
                                          const std::vector<std::string>& domains,
                                          core::SystemTime now);

// Whether the certificate name `pattern` ("erp.acme.example" or "*.acme.example") covers
// `domain`, case-insensitively; a wildcard covers exactly one leftmost label (RFC 6125).
bool covers(std::string_view pattern, std::string_view domain);

}  // namespace ballast::security
