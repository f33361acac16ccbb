#include "catalog/records.h"

#include <array>
#include <utility>

namespace ballast::catalog {
namespace {

constexpr std::array<std::pair<TenantState, std::string_view>, 4> kTenantStates = {{
    {TenantState::kProvisioning, "provisioning"},
    {TenantState::kActive, "active"},
    {TenantState::kSuspended, "suspended"},
    {TenantState::kDeleting, "deleting"},
}};

}  // namespace

std::string_view to_string(TenantState state) {
  for (const auto& [value, text] : kTenantStates) {
    if (value == state) return text;
  }
  return "unknown";
}

std::optional<TenantState> tenant_state_from(std::string_view text) {
  for (const auto& [value, spelling] : kTenantStates) {
    if (spelling == text) return value;
  }
  return std::nullopt;
}

std::string_view to_string(ComponentState state) {
  switch (state) {
    case ComponentState::kStarting:
      return "starting";
    case ComponentState::kRunning:
      return "running";
    case ComponentState::kStopped:
      return "stopped";
    case ComponentState::kFailed:
      return "failed";
    case ComponentState::kBackoff:
      return "backoff";
  }
  return "unknown";
}

}  // namespace ballast::catalog
