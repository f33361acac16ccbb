// Golden renders of the example specs: any change to the output is reviewed as a diff of
// tests/golden/kubernetes/. Refresh with BALLAST_UPDATE_GOLDEN=1 (e.g. `make test`).
#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "runtime/kubernetes/render.h"
#include "runtime/kubernetes/tree.h"
#include "spec/loader.h"

namespace ballast::runtime::kubernetes {
namespace {

namespace fs = std::filesystem;

fs::path source_dir() {
  const char* dir = std::getenv("BALLAST_SOURCE_DIR");
  return dir != nullptr ? dir : ".";
}

void expect_golden(const std::string& example) {
  auto spec = spec::load(source_dir() / "examples" / (example + ".yaml"));
  ASSERT_TRUE(spec.has_value()) << spec.error().to_string();
  auto tree = render(*spec, RenderOptions{});
  ASSERT_TRUE(tree.has_value()) << tree.error().to_string();
  const fs::path golden = source_dir() / "tests" / "golden" / "kubernetes" / example;
  if (std::getenv("BALLAST_UPDATE_GOLDEN") != nullptr) {
    auto written = write_tree(*tree, golden);
    ASSERT_TRUE(written.has_value()) << written.error().to_string();
    return;
  }
  auto expected = read_tree(golden);
  ASSERT_TRUE(expected.has_value()) << expected.error().to_string();
  const auto differences = compare_trees(*expected, tree->files);
  EXPECT_TRUE(differences.empty())
      << "the render of " << example << " differs from " << golden.string() << ":\n"
      << summarize(differences) << "Review the change; refresh with BALLAST_UPDATE_GOLDEN=1.";
  // Formatting counts too: the files must be byte-identical.
  for (const auto& [path, content] : tree->files) {
    const auto it = expected->find(path);
    EXPECT_TRUE(it == expected->end() || it->second == content)
        << path << " is formatted differently";
  }
}

TEST(KubernetesGolden, Minimal) { expect_golden("minimal"); }

TEST(KubernetesGolden, ConsultingFirm) { expect_golden("consulting-firm"); }

TEST(KubernetesGolden, RenderIsDeterministic) {
  auto spec = spec::load(source_dir() / "examples" / "consulting-firm.yaml");
  ASSERT_TRUE(spec.has_value());
  auto first = render(*spec, RenderOptions{});
  auto second = render(*spec, RenderOptions{});
  ASSERT_TRUE(first.has_value() && second.has_value());
  EXPECT_EQ(first->files, second->files);
}

}  // namespace
}  // namespace ballast::runtime::kubernetes
