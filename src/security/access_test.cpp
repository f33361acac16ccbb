// Roles and permissions: the matrix of allows(), tenant scope, and docs/security.md in step.
#include "security/access.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace ballast::security {
namespace {

TEST(AccessTest, RolesHoldTheirPermissions) {
  const Principal admin{"a", Role::kPlatformAdmin, {}};
  const Principal op{"o", Role::kOperator, {}};
  const Principal auditor{"u", Role::kAuditor, {}};
  const Principal tenant{"t", Role::kTenantAdmin, {"acme"}};
  EXPECT_TRUE(allows(admin, Permission::kAdmin));
  EXPECT_FALSE(allows(op, Permission::kAdmin));
  EXPECT_TRUE(allows(op, Permission::kOperate, "acme"));
  EXPECT_FALSE(allows(auditor, Permission::kOperate));
  EXPECT_TRUE(allows(auditor, Permission::kAuditRead));
  EXPECT_TRUE(allows(auditor, Permission::kSelf));
  EXPECT_TRUE(allows(tenant, Permission::kOperate, "acme"));
  EXPECT_FALSE(allows(tenant, Permission::kOperate, "lex"));
  EXPECT_FALSE(allows(tenant, Permission::kRead));
  EXPECT_FALSE(allows(tenant, Permission::kAuditRead, "acme"));
  EXPECT_FALSE(allows(tenant, Permission::kAdmin, "acme"));
  EXPECT_TRUE(can_see_tenant(tenant, "acme"));
  EXPECT_FALSE(can_see_tenant(tenant, "lex"));
  EXPECT_TRUE(can_see_tenant(auditor, "lex"));
  // A copy of one of its tenants is in a tenant-admin's scope, a copy of another's is not.
  EXPECT_TRUE(allows(tenant, Permission::kOperate, "acme-staging", "acme"));
  EXPECT_FALSE(allows(tenant, Permission::kOperate, "lex-staging", "lex"));
  EXPECT_FALSE(allows(tenant, Permission::kAdmin, "acme-staging", "acme"));
  EXPECT_TRUE(can_see_tenant(tenant, "acme-staging", "acme"));
  EXPECT_FALSE(can_see_tenant(tenant, "acme-staging"));
}

TEST(AccessTest, DocsShowTheTableOfTheCode) {
  const char* root = std::getenv("BALLAST_SOURCE_DIR");
  ASSERT_NE(root, nullptr);
  std::ifstream in(std::string(root) + "/docs/security.md");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find(permission_table_markdown()), std::string::npos)
      << "docs/security.md is stale; its roles table should be:\n"
      << permission_table_markdown();
}

}  // namespace
}  // namespace ballast::security
