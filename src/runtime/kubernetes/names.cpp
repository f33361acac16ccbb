// Fitting derived names to Kubernetes' limits.
#include "runtime/kubernetes/names.h"

#include <cctype>

#include "core/crypto.h"

namespace ballast::runtime::kubernetes::names {
namespace {

constexpr std::size_t kHashChars = 6;

}  // namespace

std::string fit(std::string_view base, std::string_view suffix, std::size_t max_length) {
  std::string full(base);
  if (!suffix.empty()) {
    full += '-';
    full += suffix;
  }
  if (full.size() <= max_length) return full;
  const std::string hash = core::sha256_hex(full).substr(0, kHashChars);
  const std::size_t tail = suffix.empty() ? 0 : suffix.size() + 1;
  const std::size_t keep =
      max_length > tail + kHashChars + 1 ? max_length - tail - kHashChars - 1 : 0;
  std::string name(base.substr(0, keep));
  while (!name.empty() && name.back() == '-') name.pop_back();
  if (!name.empty()) name += '-';
  name += hash;
  if (!suffix.empty()) {
    name += '-';
    name += suffix;
  }
  return name.substr(0, max_length);
}

std::string service(std::string_view base, std::string_view suffix) {
  if (!base.empty() && std::isdigit(static_cast<unsigned char>(base.front())) != 0) {
    return fit("t" + std::string(base), suffix);
  }
  return fit(base, suffix);
}

std::string database(std::string_view tenant) { return std::string(tenant); }

}  // namespace ballast::runtime::kubernetes::names
