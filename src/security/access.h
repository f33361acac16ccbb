// Who may do what: roles, permissions, and the principal a request acts as.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ballast::security {

// What a route needs. Declared per route in the one route table (api/routes.cpp).
enum class Permission {
  kPublic,    // no token needed (health, the OpenAPI document)
  kRead,      // see platform and tenant state
  kOperate,   // change tenants, run backups and drills
  kAdmin,     // platform-wide changes: shutdown, tokens, secrets
  kAuditRead  // read and verify the audit trail
};

enum class Role { kPlatformAdmin, kOperator, kAuditor, kTenantAdmin };

std::string_view to_string(Permission permission);
std::string_view to_string(Role role);
std::optional<Role> role_from(std::string_view text);

struct Principal {
  std::string id;  // "token:<id>"; never the token itself
  Role role = Role::kAuditor;
  std::vector<std::string> tenants;  // kTenantAdmin: the tenants it may see and act on
};

// Whether `principal` holds `permission`, for `tenant` when the action concerns one ("" when
// it concerns the platform).
bool allows(const Principal& principal, Permission permission, std::string_view tenant = "");

}  // namespace ballast::security
