#include "security/supplied_certificates.h"

#include <fmt/format.h>

#include "core/file.h"
#include "security/certificate_inspection.h"
#include "spec/loader.h"

namespace ballast::security {
namespace {

// Certificate and key files are small; a bundle with a long chain is a few tens of KiB.
constexpr std::size_t kMaxPemBytes = 1 << 20;

// One tls entry of the spec: where it is and whose it is.
struct Entry {
  std::string tenant;  // "" for the default certificate
  std::string path;    // "tenants[2].tls"
  const spec::TlsFiles* files = nullptr;
  std::vector<std::string> domains;  // what it must cover
};

// How messages name one of the entry's files: "tenant 'acme': key", "default certificate".
std::string file_label(const Entry& entry, bool is_key) {
  if (entry.tenant.empty()) return is_key ? "default certificate's key" : "default certificate";
  return fmt::format("tenant '{}': {}", entry.tenant, is_key ? "key" : "certificate");
}

std::vector<Entry> entries(const spec::Spec& spec) {
  std::vector<Entry> out;
  const auto& ingress = spec.platform.ingress;
  if (ingress.tls) {
    out.push_back({"", "platform.ingress.tls", &*ingress.tls, {ingress.base_domain}});
  }
  for (std::size_t i = 0; i < spec.tenants.size(); ++i) {
    const auto& t = spec.tenants[i];
    if (t.tls) out.push_back({t.name, fmt::format("tenants[{}].tls", i), &*t.tls, t.domains});
  }
  return out;
}

// The result of checking one entry: the PEM to serve, or the problems.
struct Checked {
  std::string pem;
  SuppliedCertificateReport report;
};

Checked check(const spec::Spec& spec, const Entry& entry, const std::vector<std::string>& domains,
              core::SystemTime now) {
  Checked out;
  auto problem = [&](bool is_key, bool is_warning, const std::string& text) {
    const auto& file = is_key ? entry.files->key : entry.files->certificate;
    auto d = spec::diagnostic_at(spec, entry.path + (is_key ? ".key" : ".certificate"),
                                 fmt::format("{} '{}' {}", file_label(entry, is_key), file, text));
    (is_warning ? out.report.warnings : out.report.errors).push_back(std::move(d));
  };
  auto read = [&](bool is_key) -> std::string {
    const auto& file = is_key ? entry.files->key : entry.files->certificate;
    auto text = core::read_file(spec.resolve(file), kMaxPemBytes);
    if (text.has_value()) return *text;
    const bool is_missing = text.error().code() == core::ErrorCode::kNotFound;
    problem(is_key, false,
            fmt::format("{} ({}); paths are relative to the spec file",
                        is_missing ? "does not exist" : "cannot be read",
                        is_missing ? spec.resolve(file).string() : text.error().message()));
    return "";
  };
  const std::string certificate = read(false);
  const std::string key = read(true);
  if (!out.report.errors.empty()) return out;
  const auto inspection = inspect_certificate(certificate, key, domains, now);
  for (const auto& p : inspection.problems) {
    problem(p.file == CertificateProblem::File::kKey, p.is_warning, p.message);
  }
  if (out.report.errors.empty()) {
    out.pem = certificate;
    if (!out.pem.empty() && out.pem.back() != '\n') out.pem += '\n';
    out.pem += key;
  }
  return out;
}

}  // namespace

SuppliedCertificateReport check_supplied_certificates(const spec::Spec& spec,
                                                      core::SystemTime now) {
  SuppliedCertificateReport report;
  for (const auto& entry : entries(spec)) {
    auto checked = check(spec, entry, entry.domains, now);
    for (auto& d : checked.report.errors) report.errors.push_back(std::move(d));
    for (auto& d : checked.report.warnings) report.warnings.push_back(std::move(d));
  }
  spec::sort_diagnostics(report.errors);
  spec::sort_diagnostics(report.warnings);
  return report;
}

core::Result<std::optional<core::Secret>> load_supplied_certificate(
    const spec::Spec& spec, const std::string& tenant, const std::vector<std::string>& domains,
    core::SystemTime now) {
  for (const auto& entry : entries(spec)) {
    if (entry.tenant != tenant) continue;
    // The default certificate must cover the base domain whatever the proxy asks of it.
    auto checked = check(spec, entry, entry.tenant.empty() ? entry.domains : domains, now);
    if (!checked.report.errors.empty()) {
      spec::sort_diagnostics(checked.report.errors);
      return spec::to_error(checked.report.errors);
    }
    return std::optional<core::Secret>(core::Secret(std::move(checked.pem)));
  }
  return std::optional<core::Secret>();
}

}  // namespace ballast::security
