// Certificates the spec supplies (platform.ingress.tls, tenants[].tls): read from the files it
// names and checked, for `ballast validate`, every apply, and the proxy's certificate sync.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "core/secret.h"
#include "spec/diagnostics.h"
#include "spec/model.h"

namespace ballast::security {

struct SuppliedCertificateReport {
  std::vector<spec::Diagnostic> errors;
  std::vector<spec::Diagnostic> warnings;  // expiring within kCertificateExpiryWarning
};

// Checks every certificate the spec supplies at `now`: a tenant's against its domains, the
// default one against the base domain. Each message names the tenant, the file and the
// problem, and says what to do; positions are those of the tls fields. Sorted.
SuppliedCertificateReport check_supplied_certificates(const spec::Spec& spec, core::SystemTime now);

// What HAProxy serves for `tenant` ("" for the default certificate) when the spec supplies it:
// the certificate file's PEM then the key's; nullopt when the spec supplies none for it.
// kSpecInvalid listing every problem (as check_supplied_certificates words them) when a file
// cannot be read or the pair fails the checks against `domains` (for the default certificate:
// the base domain) at `now`; warnings pass.
core::Result<std::optional<core::Secret>> load_supplied_certificate(
    const spec::Spec& spec, const std::string& tenant, const std::vector<std::string>& domains,
    core::SystemTime now);

}  // namespace ballast::security
