#include "security/access.h"

#include <algorithm>
#include <utility>

namespace ballast::security {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 4> kRoleNames = {{
    {Role::kPlatformAdmin, "platform-admin"},
    {Role::kOperator, "operator"},
    {Role::kAuditor, "auditor"},
    {Role::kTenantAdmin, "tenant-admin"},
}};

bool holds(const Principal& principal, std::string_view tenant) {
  return std::find(principal.tenants.begin(), principal.tenants.end(), tenant) !=
         principal.tenants.end();
}

bool holds_tenant(const Principal& principal, std::string_view tenant, std::string_view parent) {
  return holds(principal, tenant) || (!parent.empty() && holds(principal, parent));
}

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
    case Permission::kSelf:
      return "self";
  }
  return "unknown";
}

std::string_view describe(Permission permission) {
  switch (permission) {
    case Permission::kPublic:
      return "No token needed: health and the OpenAPI document.";
    case Permission::kRead:
      return "See platform and tenant state.";
    case Permission::kOperate:
      return "Change tenants, run backups and restores into new tenants.";
    case Permission::kAdmin:
      return "Platform-wide changes: shutdown, tokens, deletion, master key.";
    case Permission::kAuditRead:
      return "Read, export and verify the audit trail; list tokens.";
    case Permission::kSelf:
      return "Manage one's own second factor (TOTP enrolment).";
  }
  return "";
}

std::string_view to_string(Role role) {
  for (const auto& [value, name] : kRoleNames) {
    if (value == role) return name;
  }
  return "unknown";
}

std::string_view describe(Role role) {
  switch (role) {
    case Role::kPlatformAdmin:
      return "Everything, including tokens, deletion and the master key.";
    case Role::kOperator:
      return "Runs the platform: everything but admin actions.";
    case Role::kAuditor:
      return "Read-only, including the audit trail and the list of tokens.";
    case Role::kTenantAdmin:
      return "Reads and operates its own tenants only; sees no other tenant.";
  }
  return "";
}

std::optional<Role> role_from(std::string_view text) {
  for (const auto& [value, name] : kRoleNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

bool allows(const Principal& principal, Permission permission, std::string_view tenant,
            std::string_view parent) {
  if (permission == Permission::kPublic || permission == Permission::kSelf) return true;
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
      return holds_tenant(principal, tenant, parent);
  }
  return false;
}

bool can_see_tenant(const Principal& principal, std::string_view tenant, std::string_view parent) {
  if (principal.role == Role::kTenantAdmin) return holds_tenant(principal, tenant, parent);
  return allows(principal, Permission::kRead);
}

std::string permission_table_markdown() {
  std::string out = "| permission | what it allows |";
  for (const auto role : kAllRoles) out += " " + std::string(to_string(role)) + " |";
  out += "\n|---|---|";
  for (std::size_t i = 0; i < kAllRoles.size(); ++i) out += ":-:|";
  out += "\n";
  const Principal own_tenant{"", Role::kTenantAdmin, {"acme"}};
  for (const auto permission : kAllPermissions) {
    out += "| `" + std::string(to_string(permission)) + "` | " + std::string(describe(permission)) +
           " |";
    for (const auto role : kAllRoles) {
      const Principal principal{"", role, {}};
      std::string cell = allows(principal, permission) ? "yes" : "—";
      if (role == Role::kTenantAdmin && cell != "yes" && allows(own_tenant, permission, "acme")) {
        cell = "own tenants";
      }
      out += " " + cell + " |";
    }
    out += "\n";
  }
  return out;
}

}  // namespace ballast::security
