#include "runtime/kubernetes/tree.h"

#include <cstdlib>

#include <gtest/gtest.h>

#include "core/file.h"
#include "support/temp_dir.h"

namespace ballast::runtime::kubernetes {
namespace {

namespace fs = std::filesystem;

const char* kDeployment =
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: acme-web\nspec:\n  replicas: 2\n"
    "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: acme-web\n";

TEST(CompareTrees, ComparesObjectsNotText) {
  const FileMap before = {{"base/tenants/acme/odoo.yaml", kDeployment},
                          {"README.md", "one\n"},
                          {"base/pools/p/gone.yaml", "kind: ConfigMap\n"}};
  FileMap after = before;
  // Same objects, other key order and quoting: only reformatted.
  after["base/tenants/acme/odoo.yaml"] =
      "kind: Deployment\napiVersion: apps/v1\nmetadata: {name: acme-web}\nspec: {replicas: \"2\"}\n"
      "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: acme-web\n";
  const auto reformatted = compare_trees(before, after);
  ASSERT_EQ(reformatted.size(), 1U);
  EXPECT_EQ(describe(reformatted[0]), "reformatted base/tenants/acme/odoo.yaml");
  after["base/tenants/acme/odoo.yaml"] =
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: acme-web\nspec:\n  replicas: 5\n";
  after["README.md"] = "two\n";
  after.erase("base/pools/p/gone.yaml");
  after["overlays/production/p/namespace.yaml"] = "kind: Namespace\n";
  const auto d = compare_trees(before, after);
  ASSERT_EQ(d.size(), 5U);
  EXPECT_EQ(describe(d[0]), "added overlays/production/p/namespace.yaml");
  EXPECT_EQ(d[0].owner, "namespace p");
  EXPECT_EQ(describe(d[1]), "changed README.md");
  EXPECT_EQ(d[1].owner, "platform");
  EXPECT_EQ(describe(d[2]), "removed base/pools/p/gone.yaml");
  EXPECT_EQ(d[2].owner, "pool p");
  EXPECT_EQ(describe(d[3]),
            "changed Deployment acme-web (base/tenants/acme/odoo.yaml): spec.replicas");
  EXPECT_EQ(describe(d[4]), "removed Service acme-web (base/tenants/acme/odoo.yaml)");
  EXPECT_EQ(d[4].owner, "tenant acme");
  EXPECT_EQ(to_json(d[3])["fields"], Json::array({"spec.replicas"}));
  EXPECT_NE(summarize(d).find("tenant acme:\n  changed Deployment acme-web"), std::string::npos);
}

TEST(CompareTrees, ReportsBrokenYamlAndCommentOnlyEdits) {
  const FileMap before = {{"base/a.yaml", "kind: A\n"}, {"base/b.yaml", "kind: B\n"}};
  const FileMap after = {{"base/a.yaml", "kind: [A\n"}, {"base/b.yaml", "# note\nkind: B\n"}};
  const auto d = compare_trees(before, after);
  ASSERT_EQ(d.size(), 2U);
  EXPECT_NE(d[0].fields.at(0).find("not valid YAML"), std::string::npos);
  EXPECT_EQ(d[1].kind, ChangeKind::kReformatted);
}

TEST(WriteTree, WritesChangesOnlyAndRemovesStaleFilesUnderItsRoots) {
  const ballast::testing::TempDir temp;
  const fs::path& dir = temp.path();
  ASSERT_TRUE(core::write_file_atomic(dir / "notes.txt", "mine\n").has_value());
  Tree tree;
  tree.files = {
      {"README.md", "r\n"}, {"base/a/x.yaml", "kind: X\n"}, {"base/b/y.yaml", "kind: Y\n"}};
  auto first = write_tree(tree, dir);
  ASSERT_TRUE(first.has_value()) << first.error().to_string();
  EXPECT_EQ(first->written, 3U);
  tree.files.erase("base/b/y.yaml");
  auto second = write_tree(tree, dir);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->written, 0U);
  EXPECT_EQ(second->unchanged, 2U);
  EXPECT_EQ(second->removed, 1U);
  EXPECT_FALSE(fs::exists(dir / "base/b"));    // emptied folder removed
  EXPECT_TRUE(fs::exists(dir / "notes.txt"));  // not Ballast's
  EXPECT_EQ(read_tree(dir).value(), tree.files);
}

}  // namespace
}  // namespace ballast::runtime::kubernetes
