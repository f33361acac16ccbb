// Diagnostics: every problem found in a spec, with its file:line:col and field path.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"

namespace ballast::spec {

struct Diagnostic {
  std::string file;
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based
  std::string path;  // "tenants[2].plan"; empty for the whole file
  std::string message;

  // "file:line:col: path: message"
  [[nodiscard]] std::string to_string() const;
  friend bool operator<(const Diagnostic& a, const Diagnostic& b);
};

// Sorts and de-duplicates.
void sort_diagnostics(std::vector<Diagnostic>& diagnostics);

// One kSpecInvalid error listing every diagnostic, one per line, sorted.
core::Error to_error(const std::vector<Diagnostic>& diagnostics);

}  // namespace ballast::spec
