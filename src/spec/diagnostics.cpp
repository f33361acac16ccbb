#include "spec/diagnostics.h"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

namespace ballast::spec {

std::string Diagnostic::to_string() const {
  std::string out = file;
  if (line > 0) out += fmt::format(":{}:{}", line, column);
  out += ": ";
  if (!path.empty()) out += path + ": ";
  return out + message;
}

bool operator<(const Diagnostic& a, const Diagnostic& b) {
  return std::tie(a.file, a.line, a.column, a.path, a.message) <
         std::tie(b.file, b.line, b.column, b.path, b.message);
}

void sort_diagnostics(std::vector<Diagnostic>& diagnostics) {
  std::sort(diagnostics.begin(), diagnostics.end());
  diagnostics.erase(
      std::unique(diagnostics.begin(), diagnostics.end(),
                  [](const Diagnostic& a, const Diagnostic& b) { return !(a < b) && !(b < a); }),
      diagnostics.end());
}

core::Error to_error(const std::vector<Diagnostic>& diagnostics) {
  std::string message;
  for (const auto& d : diagnostics) {
    if (!message.empty()) message += "\n";
    message += d.to_string();
  }
  const std::size_t n = diagnostics.size();
  return core::Error(core::ErrorCode::kSpecInvalid, message)
      .with_hint(fmt::format("Fix the {} problem{} above; 'ballast spec explain <key>' describes "
                             "every key.",
                             n, n == 1 ? "" : "s"));
}

}  // namespace ballast::spec
