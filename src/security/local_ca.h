// A local certificate authority for the embedded default (OpenSSL 3): an EC P-256 CA key and
// self-signed certificate, and per-domain server certificates it signs, for HAProxy and the
// daemon's API when no certificates come from the spec. Keys are written 0600.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace ballast::security {

struct IssuedCertificate {
  std::filesystem::path certificate;  // PEM, 0644
  std::filesystem::path key;          // PEM, 0600
  std::filesystem::path chain;        // certificate then the CA's, PEM, 0644
};

class LocalCa final {
 public:
  static constexpr std::string_view kCertificateFile = "ca.crt";
  static constexpr std::string_view kKeyFile = "ca.key";

  // The CA kept in `dir` (ca.crt and ca.key), created there (0700) when missing. kCorrupt when
  // the files exist but cannot be read as a CA key and certificate.
  static core::Result<LocalCa> open_or_create(const std::filesystem::path& dir,
                                              std::string_view name, const core::Clock& clock);

  // Issues a server certificate for `domains` (DNS names, "*." wildcards allowed; the first
  // is the subject's CN) into `out_dir` as <first domain>.crt/.key/.chain.pem, valid for
  // `validity` from now. IPv4/IPv6 literals become IP SANs (the daemon's loopback API).
  // kInvalidArgument for a name that is neither a DNS name nor an IP address.
  core::Result<IssuedCertificate> issue(const std::vector<std::string>& domains,
                                        const std::filesystem::path& out_dir,
                                        std::chrono::hours validity) const;

  [[nodiscard]] const std::filesystem::path& certificate() const { return certificate_; }

 private:
  LocalCa(std::filesystem::path certificate, std::filesystem::path key, const core::Clock& clock)
      : certificate_(std::move(certificate)), key_(std::move(key)), clock_(&clock) {}
  std::filesystem::path certificate_;
  std::filesystem::path key_;
  const core::Clock* clock_;
};

}  // namespace ballast::security
