// GitOps with libgit2: commit a rendered tree to a branch only when it changed (the commit is
// the audit record of desired state), and report drift between what the spec renders now and
// what a branch holds.
//
// Thread safety: each call opens the repository itself; calls on different repositories may run
// concurrently, calls committing to the same repository must not.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"
#include "runtime/kubernetes/render.h"
#include "runtime/kubernetes/tree.h"

namespace ballast::runtime::kubernetes {

struct GitTarget {
  std::filesystem::path repo_dir;  // a clone with a work tree, or a bare repository
  std::string branch;              // "": the branch HEAD points at (also when it has no commit)
  std::string path;                // folder of the tree inside the repository; "": the root
};

struct CommitOutcome {
  bool is_committed = false;        // false: the branch already held this tree, nothing done
  std::string commit_id;            // the new commit, or the branch's tip when unchanged
  std::string branch;               // the branch written (resolved when GitTarget.branch is "")
  std::vector<Difference> changes;  // what the commit changed, per object
};

// Commits `tree` to the branch when the result differs from the branch's tip: one commit whose
// message is `message` (default "Render Kubernetes tree") and, below it, the changes grouped per
// tenant, pool, stack and namespace. Ballast's entries (kTreeRoots) under `path` are replaced;
// nothing else in the repository changes. A branch that does not exist starts from HEAD. When
// the branch is checked out in a work tree, its files and index are updated too.
// Author and committer: the repository's user.name and user.email, else
// "Ballast <ballast@localhost>".
// Errors: kNotFound when `repo_dir` is not a Git repository; kInvalidArgument for a bad branch
// name or path; kPreconditionFailed when HEAD is detached and no branch is given; kConflict when
// uncommitted edits in the work tree would be overwritten; kIo for other libgit2 failures.
core::Result<CommitOutcome> commit_tree(const GitTarget& target, const std::string& message,
                                        const Tree& tree);

// What differs between the branch's tip (before) and `tree` (after), object by object: empty
// when there is no drift. Text-only differences (kReformatted) are not drift. Only Ballast's
// entries under `path` are compared. A branch without a commit reports every file as added. Errors
// as commit_tree().
core::Result<std::vector<Difference>> drift(const GitTarget& target, const Tree& tree);

}  // namespace ballast::runtime::kubernetes
