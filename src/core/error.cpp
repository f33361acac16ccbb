#include "core/error.h"

namespace ballast::core {

ErrorCode error_code_from_name(std::string_view name) {
  for (const auto& entry : kErrorCodes) {
    if (entry.name == name) return entry.code;
  }
  return ErrorCode::kInternal;
}

std::string Error::to_string() const {
  std::string out;
  if (!where_.empty()) out = where_ + ": ";
  out += message_;
  for (const auto& what : context_) out += " (while " + what + ")";
  return out;
}

}  // namespace ballast::core
