// Field checks shared by the schema tables.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/text.h"
#include "spec/units.h"

namespace ballast::spec::checks {

inline std::optional<std::string> dns_label(const std::string& name) {
  if (core::is_dns_label(name)) return std::nullopt;
  return "'" + name + "' is not a valid name: use 1–63 lowercase letters, digits and '-'";
}

inline std::optional<std::string> dns_name(const std::string& name) {
  if (core::is_dns_name(name)) return std::nullopt;
  return "'" + name + "' is not a valid domain name";
}

inline std::optional<std::string> dns_names(const std::vector<std::string>& names) {
  for (const auto& name : names) {
    if (auto problem = dns_name(name)) return problem;
  }
  return std::nullopt;
}

inline std::optional<std::string> not_empty(const std::string& text) {
  if (!text.empty()) return std::nullopt;
  return std::string("must not be empty");
}

inline std::optional<std::string> positive(const Duration& d) {
  if (d.count() > 0) return std::nullopt;
  return std::string("must be longer than 0s");
}

}  // namespace ballast::spec::checks
