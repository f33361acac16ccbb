// Who may do what: roles, permissions, and the principal a request acts as.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ballast::security {

// What a route needs. Declared per route in the one route table (api/routes.cpp).
enum class Permission {
  kPublic,     // no token needed (health, the OpenAPI document)
  kRead,       // see platform and tenant state
  kOperate,    // change tenants, run backups and drills
  kAdmin,      // platform-wide changes: shutdown, tokens, secrets
  kAuditRead,  // read and verify the audit trail, list tokens
  kSelf,       // manage one's own credentials (TOTP enrolment): every valid token
};

enum class Role { kPlatformAdmin, kOperator, kAuditor, kTenantAdmin };

inline constexpr std::array kAllPermissions = {Permission::kPublic,    Permission::kRead,
                                               Permission::kOperate,   Permission::kAdmin,
                                               Permission::kAuditRead, Permission::kSelf};
inline constexpr std::array kAllRoles = {Role::kPlatformAdmin, Role::kOperator, Role::kAuditor,
                                         Role::kTenantAdmin};

std::string_view to_string(Permission permission);
std::string_view to_string(Role role);
std::optional<Role> role_from(std::string_view text);
// One sentence each, for `ballast docs security` and docs/security.md.
std::string_view describe(Permission permission);
std::string_view describe(Role role);

struct Principal {
  std::string id;  // "token:<id>"; never the token itself
  Role role = Role::kAuditor;
  std::vector<std::string> tenants;  // kTenantAdmin: the tenants it may see and act on
  // Set when a parked request runs after a second approver agreed: the approver's holder id.
  std::string approved_by{};
};

// Whether `principal` holds `permission`, for `tenant` when the action concerns one ("" when
// it concerns the platform).
// `parent` is the production tenant `tenant` is a copy of (empty when it is none): a
// tenant-admin of a tenant also administers its staging and development copies, which hold
// the same customer's data.
bool allows(const Principal& principal, Permission permission, std::string_view tenant = "",
            std::string_view parent = "");

// Whether `principal` may see `tenant` in listings (tenant-admins see only their own).
bool can_see_tenant(const Principal& principal, std::string_view tenant,
                    std::string_view parent = "");

// The roles × permissions table of docs/security.md, generated from allows() (a unit test
// keeps the document in step).
std::string permission_table_markdown();

}  // namespace ballast::security
