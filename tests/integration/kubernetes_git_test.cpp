// GitOps as an operator meets it, with the git command line on the other side: the render is
// committed once, rendering again is a no-op, an object edited and committed by hand is reported
// by drift, and the next render puts it back. Skipped when git is not on PATH.
#include <chrono>
#include <cstdlib>

#include <gtest/gtest.h>

#include "core/file.h"
#include "core/subprocess.h"
#include "runtime/kubernetes/gitops.h"
#include "spec/loader.h"
#include "support/temp_dir.h"

namespace ballast::runtime::kubernetes {
namespace {

namespace fs = std::filesystem;
constexpr std::chrono::seconds kTimeout{60};

std::string git(const fs::path& repo, std::vector<std::string> args) {
  core::Command command;
  command.argv = {"git", "-C", repo.string()};
  command.argv.insert(command.argv.end(), args.begin(), args.end());
  // A predictable identity, whatever the machine's git configuration says.
  command.env = {{"GIT_AUTHOR_NAME", "Operator"},    {"GIT_AUTHOR_EMAIL", "op@example.test"},
                 {"GIT_COMMITTER_NAME", "Operator"}, {"GIT_COMMITTER_EMAIL", "op@example.test"},
                 {"GIT_CONFIG_NOSYSTEM", "1"},       {"HOME", repo.string()}};
  auto done = core::run_checked(command, kTimeout);
  EXPECT_TRUE(done.has_value()) << (done ? "" : done.error().to_string());
  return done.has_value() ? done->out : "";
}

Tree consulting_firm_tree() {
  const char* dir = std::getenv("BALLAST_SOURCE_DIR");
  auto spec =
      spec::load(fs::path(dir != nullptr ? dir : ".") / "examples" / "consulting-firm.yaml");
  EXPECT_TRUE(spec.has_value());
  auto tree = render(*spec, RenderOptions{});
  EXPECT_TRUE(tree.has_value());
  return *tree;
}

TEST(GitOpsWithGit, CommitOnceNoOpThenDriftOfAHandEdit) {
  if (core::find_program("git").empty()) GTEST_SKIP() << "git is not on PATH";
  const ballast::testing::TempDir repo;
  git(repo.path(), {"init", "--quiet", "--initial-branch=main"});
  git(repo.path(), {"commit", "--quiet", "--allow-empty", "-m", "Start the GitOps repository"});
  const Tree tree = consulting_firm_tree();
  const GitTarget target{repo.path(), "", "clusters/northwind"};

  auto first = commit_tree(target, "Render northwind-hosting", tree);
  ASSERT_TRUE(first.has_value()) << first.error().to_string();
  EXPECT_TRUE(first->is_committed);
  EXPECT_EQ(git(repo.path(), {"rev-parse", "HEAD"}), first->commit_id + "\n");
  EXPECT_EQ(git(repo.path(), {"status", "--porcelain"}), "");  // work tree and index follow
  const std::string log = git(repo.path(), {"log", "-1", "--format=%B"});
  EXPECT_NE(log.find("tenant acme-consulting:\n  added base/tenants/acme-consulting/alerts.yaml"),
            std::string::npos)
      << log;

  auto second = commit_tree(target, "Render northwind-hosting", tree);
  ASSERT_TRUE(second.has_value());
  EXPECT_FALSE(second->is_committed);
  EXPECT_EQ(git(repo.path(), {"rev-list", "--count", "HEAD"}), "2\n");

  // An operator scales a tenant by hand and commits it.
  const fs::path file = repo.path() / "clusters/northwind/base/tenants/lexington-legal/odoo.yaml";
  std::string text = core::read_file(file).value();
  text.replace(text.find("replicas: 2"), 11, "replicas: 6");
  ASSERT_TRUE(core::write_file_atomic(file, text).has_value());
  git(repo.path(), {"commit", "--quiet", "-am", "Scale lexington by hand"});

  auto found = drift(target, tree);
  ASSERT_TRUE(found.has_value()) << found.error().to_string();
  ASSERT_EQ(found->size(), 1U);
  EXPECT_EQ(describe(found->front()),
            "changed Deployment lexington-legal-web (base/tenants/lexington-legal/odoo.yaml): "
            "spec.replicas");
  EXPECT_EQ(found->front().owner, "tenant lexington-legal");

  // The next render restores the desired state; drift is gone.
  auto restored = commit_tree(target, "Render northwind-hosting", tree);
  ASSERT_TRUE(restored.has_value()) << restored.error().to_string();
  EXPECT_TRUE(restored->is_committed);
  auto after = drift(target, tree);
  ASSERT_TRUE(after.has_value());
  EXPECT_TRUE(after->empty());
  EXPECT_EQ(git(repo.path(), {"status", "--porcelain"}), "");
}

}  // namespace
}  // namespace ballast::runtime::kubernetes
