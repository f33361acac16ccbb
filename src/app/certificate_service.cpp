// Certificates for tenant domains: the spec's supplied ones checked before an apply, and what
// HAProxy serves, for monitoring (expiry per tenant).
#include <fmt/format.h>

#include "app/platform.h"
#include "core/file.h"
#include "security/certificate_inspection.h"
#include "security/supplied_certificates.h"

namespace ballast::app {

core::Status Platform::check_certificates(const spec::Spec& spec) {
  auto report = security::check_supplied_certificates(spec, clock_.now());
  for (const auto& warning : report.warnings) {
    (void)catalog_->events().record(catalog::EventLevel::kWarning, "platform/certificates",
                                    "CertificateExpiresSoon", warning.to_string());
  }
  if (report.errors.empty()) return core::ok();
  for (const auto& error : report.errors) {
    (void)catalog_->events().record(catalog::EventLevel::kWarning, "platform/certificates",
                                    "CertificateRefused", error.to_string());
  }
  return spec::to_error(report.errors);
}

core::Result<std::vector<ServedCertificate>> Platform::served_certificates() {
  std::vector<ServedCertificate> out;
  if (!runtime_) return out;
  for (const auto& served : runtime_->served_certificate_files()) {
    // The file holds the key too: only the certificates are looked at, nothing is copied out.
    BALLAST_ASSIGN_OR_RETURN(auto pem, core::read_file(served.file, 16 << 20));
    const auto inspection = security::inspect_certificate(pem, "", {}, clock_.now());
    if (inspection.chain_length == 0) {
      return core::make_error(core::ErrorCode::kCorrupt, "'{}' holds no certificate",
                              served.file.string())
          .with_hint("Run 'ballast apply' to write it again.");
    }
    const auto* tenant = spec_.find_tenant(served.tenant);
    const bool is_supplied = served.tenant.empty() ? spec_.platform.ingress.tls.has_value()
                                                   : tenant != nullptr && tenant->tls.has_value();
    out.push_back({served.tenant, inspection.dns_names, inspection.not_after, inspection.serial_hex,
                   is_supplied});
  }
  return out;
}

}  // namespace ballast::app
