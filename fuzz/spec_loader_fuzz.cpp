// libFuzzer target: any bytes given to the spec loader end in a Spec or an Error, never a
// crash, hang or sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "spec/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto spec = ballast::spec::parse(text, "fuzz.yaml");
  if (!spec.has_value() && spec.error().message().empty()) __builtin_trap();
  return 0;
}
