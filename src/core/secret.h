// Secret: a string that never prints. Formats as "***"; zeroed on destruction.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace ballast::core {

class Secret final {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(const Secret&) = default;
  Secret(Secret&&) noexcept = default;
  Secret& operator=(const Secret&) = default;
  Secret& operator=(Secret&&) noexcept = default;
  ~Secret();

  // The only way to the plaintext; grep for it when reviewing where secrets flow.
  [[nodiscard]] const std::string& reveal() const { return value_; }
  [[nodiscard]] bool empty() const { return value_.empty(); }
  friend bool operator==(const Secret& a, const Secret& b);

 private:
  std::string value_;
};

inline std::ostream& operator<<(std::ostream& out, const Secret& /*secret*/) {
  return out << "***";
}

}  // namespace ballast::core

template <>
struct fmt::formatter<ballast::core::Secret> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(const ballast::core::Secret& /*secret*/, Context& ctx) const {
    return fmt::formatter<std::string_view>::format("***", ctx);
  }
};
