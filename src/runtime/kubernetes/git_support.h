// Internal to gitops.cpp: RAII owners of libgit2 handles and the few repository operations the
// GitOps commands are made of (resolve a branch, read files from a tree, build a tree).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <git2.h>

#include "core/result.h"
#include "runtime/kubernetes/tree.h"

namespace ballast::runtime::kubernetes::git {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* handle) const {
    Free(handle);
  }
};

using Repository = std::unique_ptr<git_repository, Deleter<git_repository_free>>;
using Reference = std::unique_ptr<git_reference, Deleter<git_reference_free>>;
using Commit = std::unique_ptr<git_commit, Deleter<git_commit_free>>;
using TreeHandle = std::unique_ptr<git_tree, Deleter<git_tree_free>>;
using TreeBuilder = std::unique_ptr<git_treebuilder, Deleter<git_treebuilder_free>>;
using TreeEntry = std::unique_ptr<git_tree_entry, Deleter<git_tree_entry_free>>;
using Blob = std::unique_ptr<git_blob, Deleter<git_blob_free>>;
using Signature = std::unique_ptr<git_signature, Deleter<git_signature_free>>;

// libgit2 initialised for as long as the object lives (init/shutdown are reference-counted).
class Library final {
 public:
  Library() { git_libgit2_init(); }
  ~Library() { git_libgit2_shutdown(); }
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;
  Library(Library&&) = delete;
  Library& operator=(Library&&) = delete;
};

// An Error quoting libgit2's last message: "<what>: <libgit2 message>".
core::Error error(std::string_view what, core::ErrorCode code = core::ErrorCode::kIo);

// Opens exactly `dir` (no search upwards). kNotFound when it is not a repository.
core::Result<Repository> open(const std::filesystem::path& dir);

// The branch to use: `requested`, or the one HEAD points at.
core::Result<std::string> resolve_branch(git_repository* repo, const std::string& requested);

// The commit at refs/heads/<branch>; nullopt when the branch does not exist.
core::Result<std::optional<Commit>> branch_tip(git_repository* repo, const std::string& branch);

// HEAD's commit, if HEAD resolves to one.
std::optional<Commit> head_commit(git_repository* repo);

// "" or "a/b" → {"a", "b"}; kInvalidArgument for ".", ".." or absolute paths.
core::Result<std::vector<std::string>> split_path(const std::string& path);

// The files under kTreeRoots of the folder `components` of `root` (null: none).
core::Result<FileMap> read_files(git_repository* repo, const git_tree* root,
                                 const std::vector<std::string>& components);

// A new root tree: `root` (may be null) with, in the folder `components`, Ballast's entries
// (kTreeRoots) replaced by `files` (paths relative to that folder).
core::Result<git_oid> build_tree(git_repository* repo, const git_tree* root,
                                 const std::vector<std::string>& components, const FileMap& files);

// The repository's default signature, or "Ballast <ballast@localhost>".
core::Result<Signature> signature(git_repository* repo);

// True when `branch` is the branch checked out in `repo`'s work tree.
bool is_checked_out(git_repository* repo, const std::string& branch);

}  // namespace ballast::runtime::kubernetes::git
