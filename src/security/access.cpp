#include "security/access.h"

#include <algorithm>
#include <array>
#include <utility>

namespace ballast::security {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 4> kRoles = {{
    {Role::kPlatformAdmin, "platform-admin"},
    {Role::kOperator, "operator"},
    {Role::kAuditor, "auditor"},
    {Role::kTenantAdmin, "tenant-admin"},
}};

}  // namespace

std::string_view to_string(Permission permission) {
  switch (permission) {
    case Permission::kPublic:
      return "public";
    case Permission::kRead:
      return "read";
    case Permission::kOperate:
      return "operate";
    case Permission::kAdmin:
      return "admin";
    case Permission::kAuditRead:
      return "audit-read";
  }
  return "unknown";
}

std::string_view to_string(Role role) {
  for (const auto& [value, name] : kRoles) {
    if (value == role) return name;
  }
  return "unknown";
}

std::optional<Role> role_from(std::string_view text) {
  for (const auto& [value, name] : kRoles) {
    if (name == text) return value;
  }
  return std::nullopt;
}

bool allows(const Principal& principal, Permission permission, std::string_view tenant) {
  if (permission == Permission::kPublic) return true;
  switch (principal.role) {
    case Role::kPlatformAdmin:
      return true;
    case Role::kOperator:
      return permission != Permission::kAdmin;
    case Role::kAuditor:
      return permission == Permission::kRead || permission == Permission::kAuditRead;
    case Role::kTenantAdmin:
      if (tenant.empty()) return false;
      if (permission != Permission::kRead && permission != Permission::kOperate) return false;
      return std::find(principal.tenants.begin(), principal.tenants.end(), tenant) !=
             principal.tenants.end();
  }
  return false;
}

}  // namespace ballast::security
