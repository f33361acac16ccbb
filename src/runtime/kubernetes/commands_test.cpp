#include "runtime/kubernetes/commands.h"

#include <cstdlib>

#include <git2.h>
#include <gtest/gtest.h>

#include "core/file.h"
#include "spec/loader.h"
#include "support/temp_dir.h"

namespace ballast::runtime::kubernetes {
namespace {

namespace fs = std::filesystem;

spec::Spec example(const char* name) {
  const char* dir = std::getenv("BALLAST_SOURCE_DIR");
  auto spec = spec::load(fs::path(dir != nullptr ? dir : ".") / "examples" / name);
  EXPECT_TRUE(spec.has_value());
  return spec.has_value() ? std::move(*spec) : spec::Spec{};
}

TEST(Commands, RenderToDirectoryReportsWritesAndWarnings) {
  const ballast::testing::TempDir dir;
  auto report = render_to_directory(example("minimal.yaml"), RenderOptions{}, dir.path());
  ASSERT_TRUE(report.has_value()) << report.error().to_string();
  EXPECT_GT(report->written.written, 10U);
  ASSERT_EQ(report->warnings.size(), 1U);  // a posix repository cannot archive WAL from a cluster
  EXPECT_NE(report->warnings[0].find("pool 'main' has no s3 repository"), std::string::npos);
  EXPECT_EQ(to_json(*report)["written"], report->written.written);
  auto again = render_to_directory(example("minimal.yaml"), RenderOptions{}, dir.path());
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->written.written, 0U);
}

TEST(Commands, RenderToGitPointsArgoCdAtTheFolderAndDriftIsEmpty) {
  const ballast::testing::TempDir dir;
  git_libgit2_init();
  git_repository* repo = nullptr;
  ASSERT_EQ(git_repository_init(&repo, dir.path().c_str(), 0), 0);
  git_repository_free(repo);
  git_libgit2_shutdown();
  const GitTarget target{dir.path(), "main", "clusters/eu"};
  const spec::Spec spec = example("consulting-firm.yaml");
  auto report = render_to_git(spec, RenderOptions{}, target, "Render");
  ASSERT_TRUE(report.has_value()) << report.error().to_string();
  EXPECT_TRUE(report->commit.is_committed);
  const Json json = to_json(*report);
  EXPECT_EQ(json["branch"], "main");
  EXPECT_FALSE(json["changes"].empty());
  auto drifted = drift_from_git(spec, RenderOptions{}, target);
  ASSERT_TRUE(drifted.has_value()) << drifted.error().to_string();
  EXPECT_TRUE(drifted->empty());
  // Argo CD's Applications name the folder the tree was committed to.
  auto tree = render(spec, RenderOptions{.repo_path = "clusters/eu"});
  ASSERT_TRUE(tree.has_value());
  EXPECT_NE(tree->files.at("argocd/applications.yaml").find("path: clusters/eu/overlays/staging"),
            std::string::npos);
}

}  // namespace
}  // namespace ballast::runtime::kubernetes
