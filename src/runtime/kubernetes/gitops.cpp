// Commit-if-changed and drift, on top of git_support.h.
#include "runtime/kubernetes/gitops.h"

#include <fmt/format.h>

#include "runtime/kubernetes/git_support.h"

namespace ballast::runtime::kubernetes {
namespace {

constexpr std::string_view kDefaultMessage = "Render Kubernetes tree";

// What a command works on: the repository, the branch and its tip's tree.
struct Checkout {
  git::Repository repo;
  std::string branch;
  std::vector<std::string> folder;
  std::optional<git::Commit> parent;  // the branch's tip (or HEAD's commit for a new branch)
  git::TreeHandle parent_tree;
};

core::Result<Checkout> prepare(const GitTarget& target, bool is_new_branch_from_head) {
  BALLAST_ASSIGN_OR_RETURN(git::Repository repo, git::open(target.repo_dir));
  BALLAST_ASSIGN_OR_RETURN(std::string branch, git::resolve_branch(repo.get(), target.branch));
  BALLAST_ASSIGN_OR_RETURN(std::vector<std::string> folder, git::split_path(target.path));
  BALLAST_ASSIGN_OR_RETURN(std::optional<git::Commit> tip, git::branch_tip(repo.get(), branch));
  if (!tip && is_new_branch_from_head) tip = git::head_commit(repo.get());
  git::TreeHandle tree;
  if (tip) {
    git_tree* raw = nullptr;
    if (git_commit_tree(&raw, tip->get()) != 0) return git::error("reading the branch's tree");
    tree.reset(raw);
  }
  return Checkout{std::move(repo), std::move(branch), std::move(folder), std::move(tip),
                  std::move(tree)};
}

std::string oid_text(const git_oid& id) {
  char text[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(text, sizeof(text), &id);
  return text;
}

// Brings the work tree and index of a checked-out branch to `tree`, refusing to overwrite
// uncommitted edits of Ballast's files.
core::Status update_work_tree(const Checkout& c, const git_oid& tree_id) {
  git_tree* raw = nullptr;
  if (git_tree_lookup(&raw, c.repo.get(), &tree_id) != 0) return git::error("reading new tree");
  const git::TreeHandle tree(raw);
  std::vector<std::string> paths;
  const std::string prefix = c.folder.empty() ? "" : fmt::format("{}/", fmt::join(c.folder, "/"));
  for (const auto root : kTreeRoots) paths.push_back(prefix + std::string(root));
  std::vector<char*> path_ptrs;
  for (auto& p : paths) path_ptrs.push_back(p.data());
  git_checkout_options options;
  git_checkout_options_init(&options, GIT_CHECKOUT_OPTIONS_VERSION);
  options.checkout_strategy = GIT_CHECKOUT_SAFE;
  options.baseline = c.parent_tree.get();
  options.paths = {path_ptrs.data(), path_ptrs.size()};
  const int rc =
      git_checkout_tree(c.repo.get(), reinterpret_cast<const git_object*>(tree.get()), &options);
  if (rc == GIT_ECONFLICT) {
    return git::error("uncommitted changes to Ballast's files would be overwritten",
                      core::ErrorCode::kConflict)
        .with_hint("Commit or discard them (git stash), then render again.");
  }
  if (rc != 0) return git::error("updating the work tree");
  return core::ok();
}

core::Result<std::string> create_commit(const Checkout& c, const git_oid& tree_id,
                                        const std::string& message) {
  git_tree* raw = nullptr;
  if (git_tree_lookup(&raw, c.repo.get(), &tree_id) != 0) return git::error("reading new tree");
  const git::TreeHandle tree(raw);
  BALLAST_ASSIGN_OR_RETURN(const git::Signature sig, git::signature(c.repo.get()));
  const git_commit* parents[1] = {c.parent ? c.parent->get() : nullptr};
  git_oid id;
  const std::string ref = "refs/heads/" + c.branch;
  if (git_commit_create(&id, c.repo.get(), ref.c_str(), sig.get(), sig.get(), nullptr,
                        message.c_str(), tree.get(), c.parent ? 1 : 0, parents) != 0) {
    return git::error(fmt::format("committing to '{}'", c.branch));
  }
  return oid_text(id);
}

// A new branch whose content is already HEAD's: the branch is created at HEAD, no commit made.
core::Status ensure_branch(const Checkout& c) {
  BALLAST_ASSIGN_OR_RETURN(const std::optional<git::Commit> tip,
                           git::branch_tip(c.repo.get(), c.branch));
  if (tip) return core::ok();
  git_reference* raw = nullptr;
  const std::string ref = "refs/heads/" + c.branch;
  if (git_reference_create(&raw, c.repo.get(), ref.c_str(), git_commit_id(c.parent->get()), 0,
                           "ballast: branch for the Kubernetes tree") != 0) {
    return git::error(fmt::format("creating branch '{}'", c.branch));
  }
  git_reference_free(raw);
  return core::ok();
}

}  // namespace

core::Result<CommitOutcome> commit_tree(const GitTarget& target, const std::string& message,
                                        const Tree& tree) {
  const git::Library library;
  BALLAST_ASSIGN_OR_RETURN(Checkout c, prepare(target, true));
  BALLAST_ASSIGN_OR_RETURN(const git_oid tree_id, git::build_tree(c.repo.get(), c.parent_tree.get(),
                                                                  c.folder, tree.files));
  CommitOutcome outcome;
  outcome.branch = c.branch;
  if (c.parent && git_oid_equal(&tree_id, git_commit_tree_id(c.parent->get())) != 0) {
    BALLAST_TRY(ensure_branch(c));
    outcome.commit_id = oid_text(*git_commit_id(c.parent->get()));
    return outcome;
  }
  BALLAST_ASSIGN_OR_RETURN(const FileMap before,
                           git::read_files(c.repo.get(), c.parent_tree.get(), c.folder));
  outcome.changes = compare_trees(before, tree.files);
  if (git::is_checked_out(c.repo.get(), c.branch)) BALLAST_TRY(update_work_tree(c, tree_id));
  std::string text(message.empty() ? kDefaultMessage : message);
  if (!outcome.changes.empty()) text += "\n\n" + summarize(outcome.changes);
  BALLAST_ASSIGN_OR_RETURN(outcome.commit_id, create_commit(c, tree_id, text));
  outcome.is_committed = true;
  return outcome;
}

core::Result<std::vector<Difference>> drift(const GitTarget& target, const Tree& tree) {
  const git::Library library;
  BALLAST_ASSIGN_OR_RETURN(const Checkout c, prepare(target, false));
  BALLAST_ASSIGN_OR_RETURN(const FileMap committed,
                           git::read_files(c.repo.get(), c.parent_tree.get(), c.folder));
  std::vector<Difference> differences = compare_trees(committed, tree.files);
  // The same objects in other words are not drift: Argo CD would apply the same thing.
  std::erase_if(differences,
                [](const Difference& d) { return d.kind == ChangeKind::kReformatted; });
  return differences;
}

}  // namespace ballast::runtime::kubernetes
