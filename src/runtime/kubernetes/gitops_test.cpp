// GitOps on real repositories (libgit2, temporary directories): commit once, no-op on the second
// render, drift of a hand-edited object, branches, folders, bare repositories and refusals.
#include "runtime/kubernetes/gitops.h"

#include <cstdlib>
#include <filesystem>

#include <git2.h>
#include <gtest/gtest.h>

#include "core/file.h"
#include "spec/loader.h"
#include "support/temp_dir.h"

namespace ballast::runtime::kubernetes {
namespace {

namespace fs = std::filesystem;

using ballast::testing::TempDir;

fs::path source_dir() {
  const char* dir = std::getenv("BALLAST_SOURCE_DIR");
  return dir != nullptr ? dir : ".";
}

Tree example_tree() {
  auto spec = spec::load(source_dir() / "examples" / "consulting-firm.yaml");
  EXPECT_TRUE(spec.has_value());
  auto tree = render(*spec, RenderOptions{});
  EXPECT_TRUE(tree.has_value());
  return *tree;
}

void init_repository(const fs::path& dir, bool is_bare = false) {
  git_libgit2_init();
  git_repository* repo = nullptr;
  ASSERT_EQ(git_repository_init(&repo, dir.c_str(), is_bare ? 1 : 0), 0);
  git_repository_free(repo);
  git_libgit2_shutdown();
}

std::string commit_message(const fs::path& dir, const std::string& id) {
  git_libgit2_init();
  git_repository* repo = nullptr;
  git_commit* commit = nullptr;
  git_oid oid;
  std::string message;
  if (git_repository_open(&repo, dir.c_str()) == 0 && git_oid_fromstr(&oid, id.c_str()) == 0 &&
      git_commit_lookup(&commit, repo, &oid) == 0) {
    message = git_commit_message(commit);
  }
  git_commit_free(commit);
  git_repository_free(repo);
  git_libgit2_shutdown();
  return message;
}

const std::string kOdooFile = "base/tenants/acme-consulting/odoo.yaml";

TEST(GitOps, CommitsOnceAndTheSecondRenderIsANoOp) {
  const TempDir dir;
  init_repository(dir.path());
  const Tree tree = example_tree();
  auto first = commit_tree({dir.path(), "main", ""}, "Render northwind-hosting", tree);
  ASSERT_TRUE(first.has_value()) << first.error().to_string();
  EXPECT_TRUE(first->is_committed);
  EXPECT_EQ(first->branch, "main");
  EXPECT_EQ(first->changes.size(), tree.files.size());  // every file is new
  auto second = commit_tree({dir.path(), "main", ""}, "Render northwind-hosting", tree);
  ASSERT_TRUE(second.has_value()) << second.error().to_string();
  EXPECT_FALSE(second->is_committed);
  EXPECT_EQ(second->commit_id, first->commit_id);
  EXPECT_TRUE(second->changes.empty());
}

TEST(GitOps, CommitMessageListsWhatChangedPerTenant) {
  const TempDir dir;
  init_repository(dir.path());
  Tree tree = example_tree();
  ASSERT_TRUE(commit_tree({dir.path(), "main", ""}, "", tree).has_value());
  auto& text = tree.files.at(kOdooFile);
  text.replace(text.find("replicas: 2"), 11, "replicas: 3");
  auto outcome = commit_tree({dir.path(), "main", ""}, "Scale acme", tree);
  ASSERT_TRUE(outcome.has_value()) << outcome.error().to_string();
  ASSERT_EQ(outcome->changes.size(), 1U);
  const std::string message = commit_message(dir.path(), outcome->commit_id);
  EXPECT_EQ(message,
            "Scale acme\n\ntenant acme-consulting:\n  changed Deployment acme-consulting-web "
            "(base/tenants/acme-consulting/odoo.yaml): spec.replicas\n");
}

TEST(GitOps, DriftReportsAHandEditedObject) {
  const TempDir dir;
  init_repository(dir.path());
  const Tree rendered = example_tree();
  ASSERT_TRUE(commit_tree({dir.path(), "", ""}, "", rendered).has_value());
  auto clean = drift({dir.path(), "", ""}, rendered);
  ASSERT_TRUE(clean.has_value()) << clean.error().to_string();
  EXPECT_TRUE(clean->empty());
  // Someone edits the repository by hand (here: through a commit of an edited copy).
  Tree edited = rendered;
  auto& text = edited.files.at(kOdooFile);
  text.replace(text.find("maxReplicas: 4"), 14, "maxReplicas: 9");
  ASSERT_TRUE(commit_tree({dir.path(), "", ""}, "hand edit", edited).has_value());
  auto found = drift({dir.path(), "", ""}, rendered);
  ASSERT_TRUE(found.has_value()) << found.error().to_string();
  ASSERT_EQ(found->size(), 1U);
  const Difference& d = found->front();
  EXPECT_EQ(d.kind, ChangeKind::kChanged);
  EXPECT_EQ(d.path, kOdooFile);
  EXPECT_EQ(d.object, "HorizontalPodAutoscaler acme-consulting-web");
  EXPECT_EQ(d.owner, "tenant acme-consulting");
  EXPECT_EQ(d.fields, std::vector<std::string>{"spec.maxReplicas"});
}

TEST(GitOps, UpdatesTheCheckedOutWorkTree) {
  const TempDir dir;
  init_repository(dir.path());
  Tree tree = example_tree();
  ASSERT_TRUE(commit_tree({dir.path(), "", ""}, "", tree).has_value());
  EXPECT_EQ(core::read_file(dir.path() / kOdooFile).value(), tree.files.at(kOdooFile));
  // A tenant leaves: its files go from the commit and from the work tree.
  std::erase_if(tree.files,
                [](const auto& f) { return f.first.find("delta-design") != std::string::npos; });
  ASSERT_TRUE(commit_tree({dir.path(), "", ""}, "", tree).has_value());
  EXPECT_FALSE(fs::exists(dir.path() / "base/tenants/delta-design/odoo.yaml"));
}

TEST(GitOps, RefusesToOverwriteUncommittedEdits) {
  const TempDir dir;
  init_repository(dir.path());
  Tree tree = example_tree();
  ASSERT_TRUE(commit_tree({dir.path(), "", ""}, "", tree).has_value());
  ASSERT_TRUE(core::write_file_atomic(dir.path() / kOdooFile, "local edit\n").has_value());
  tree.files.at(kOdooFile) += "# changed\n";
  auto outcome = commit_tree({dir.path(), "", ""}, "", tree);
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().code(), core::ErrorCode::kConflict);
  EXPECT_EQ(core::read_file(dir.path() / kOdooFile).value(), "local edit\n");
}

TEST(GitOps, WritesIntoAFolderAndLeavesTheRestAlone) {
  const TempDir dir;
  init_repository(dir.path(), true);  // bare: commits without a work tree
  Tree other;
  other.files["README.md"] = "platform repository\n";
  ASSERT_TRUE(commit_tree({dir.path(), "main", ""}, "", other).has_value());
  const Tree tree = example_tree();
  ASSERT_TRUE(commit_tree({dir.path(), "main", "clusters/prod"}, "", tree).has_value());
  auto at_root = drift({dir.path(), "main", ""}, other);
  ASSERT_TRUE(at_root.has_value());
  EXPECT_TRUE(at_root->empty());  // the root's README is untouched
  auto in_folder = drift({dir.path(), "main", "clusters/prod"}, tree);
  ASSERT_TRUE(in_folder.has_value());
  EXPECT_TRUE(in_folder->empty());
}

TEST(GitOps, ANewBranchStartsFromHead) {
  const TempDir dir;
  init_repository(dir.path());
  Tree tree = example_tree();
  auto main_commit = commit_tree({dir.path(), "", ""}, "", tree);
  ASSERT_TRUE(main_commit.has_value());
  auto& text = tree.files.at(kOdooFile);
  text.replace(text.find("replicas: 2"), 11, "replicas: 3");
  auto proposal = commit_tree({dir.path(), "render/proposal", ""}, "", tree);
  ASSERT_TRUE(proposal.has_value()) << proposal.error().to_string();
  EXPECT_TRUE(proposal->is_committed);
  ASSERT_EQ(proposal->changes.size(), 1U);  // relative to HEAD's commit, not an empty tree
  auto on_head = drift({dir.path(), "", ""}, tree);
  ASSERT_TRUE(on_head.has_value());
  EXPECT_EQ(on_head->size(), 1U);  // HEAD's branch did not move
}

TEST(GitOps, ErrorsSayWhatToDo) {
  const TempDir dir;
  const Tree tree = example_tree();
  auto not_repo = commit_tree({dir.path(), "main", ""}, "", tree);
  ASSERT_FALSE(not_repo.has_value());
  EXPECT_EQ(not_repo.error().code(), core::ErrorCode::kNotFound);
  EXPECT_FALSE(not_repo.error().hint().empty());
  init_repository(dir.path());
  auto bad_branch = commit_tree({dir.path(), "no..good", ""}, "", tree);
  ASSERT_FALSE(bad_branch.has_value());
  EXPECT_EQ(bad_branch.error().code(), core::ErrorCode::kInvalidArgument);
  auto bad_path = drift({dir.path(), "main", "../elsewhere"}, tree);
  ASSERT_FALSE(bad_path.has_value());
  EXPECT_EQ(bad_path.error().code(), core::ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace ballast::runtime::kubernetes
