// libgit2 building blocks for GitOps: repositories, branches, reading and building trees.
#include "runtime/kubernetes/git_support.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "core/text.h"

namespace ballast::runtime::kubernetes::git {
namespace {

// A folder of files to be written as a Git tree.
struct Folder {
  std::map<std::string, Folder> folders;
  std::map<std::string, const std::string*> files;
};

Folder folder_of(const FileMap& files) {
  Folder top;
  for (const auto& [path, content] : files) {
    const std::vector<std::string> parts = core::split(path, '/');
    Folder* at = &top;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) at = &at->folders[parts[i]];
    at->files[parts.back()] = &content;
  }
  return top;
}

core::Result<TreeBuilder> builder(git_repository* repo, const git_tree* source) {
  git_treebuilder* raw = nullptr;
  if (git_treebuilder_new(&raw, repo, source) != 0) return error("creating a tree");
  return TreeBuilder(raw);
}

core::Status insert(git_treebuilder* bld, const std::string& name, const git_oid& id,
                    git_filemode_t mode) {
  if (git_treebuilder_insert(nullptr, bld, name.c_str(), &id, mode) != 0) {
    return error(fmt::format("adding '{}' to a tree", name));
  }
  return core::ok();
}

core::Result<git_oid> write(git_treebuilder* bld) {
  git_oid id;
  if (git_treebuilder_write(&id, bld) != 0) return error("writing a tree");
  return id;
}

// Inserts `folder`'s files and sub-folders into `bld`.
core::Status fill(git_repository* repo, git_treebuilder* bld, const Folder& folder) {
  for (const auto& [name, content] : folder.files) {
    git_oid id;
    if (git_blob_create_from_buffer(&id, repo, content->data(), content->size()) != 0) {
      return error(fmt::format("storing '{}'", name));
    }
    BALLAST_TRY(insert(bld, name, id, GIT_FILEMODE_BLOB));
  }
  for (const auto& [name, child] : folder.folders) {
    BALLAST_ASSIGN_OR_RETURN(TreeBuilder sub, builder(repo, nullptr));
    BALLAST_TRY(fill(repo, sub.get(), child));
    BALLAST_ASSIGN_OR_RETURN(const git_oid id, write(sub.get()));
    BALLAST_TRY(insert(bld, name, id, GIT_FILEMODE_TREE));
  }
  return core::ok();
}

// The sub-tree `name` of `tree`; empty when absent or not a folder.
TreeHandle subtree(git_repository* repo, const git_tree* tree, const std::string& name) {
  if (tree == nullptr) return nullptr;
  const git_tree_entry* entry = git_tree_entry_byname(tree, name.c_str());
  if (entry == nullptr || git_tree_entry_type(entry) != GIT_OBJECT_TREE) return nullptr;
  git_tree* raw = nullptr;
  if (git_tree_lookup(&raw, repo, git_tree_entry_id(entry)) != 0) return nullptr;
  return TreeHandle(raw);
}

core::Result<std::string> blob_text(git_repository* repo, const git_oid* id) {
  git_blob* raw = nullptr;
  if (git_blob_lookup(&raw, repo, id) != 0) return error("reading a file");
  const Blob blob(raw);
  return std::string(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                     static_cast<std::size_t>(git_blob_rawsize(blob.get())));
}

struct Walk {
  git_repository* repo;
  std::string prefix;
  FileMap* files;
  std::optional<core::Error> failure;
};

int collect(const char* root, const git_tree_entry* entry, void* payload) {
  auto* walk = static_cast<Walk*>(payload);
  if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB) return 0;
  auto text = blob_text(walk->repo, git_tree_entry_id(entry));
  if (!text) {
    walk->failure = std::move(text).error();
    return -1;
  }
  (*walk->files)[walk->prefix + root + git_tree_entry_name(entry)] = std::move(*text);
  return 0;
}

// Replaces Ballast's entries of the folder `source` (may be null) by `files`.
core::Result<git_oid> replace_roots(git_repository* repo, const git_tree* source,
                                    const FileMap& files) {
  BALLAST_ASSIGN_OR_RETURN(TreeBuilder bld, builder(repo, source));
  for (const auto root : kTreeRoots) {
    if (git_treebuilder_get(bld.get(), std::string(root).c_str()) != nullptr &&
        git_treebuilder_remove(bld.get(), std::string(root).c_str()) != 0) {
      return error(fmt::format("replacing '{}'", root));
    }
  }
  BALLAST_TRY(fill(repo, bld.get(), folder_of(files)));
  return write(bld.get());
}

}  // namespace

core::Error error(std::string_view what, core::ErrorCode code) {
  const git_error* last = git_error_last();
  return core::Error(code, fmt::format("{}: {}", what,
                                       last != nullptr && last->message != nullptr
                                           ? last->message
                                           : "libgit2 gave no reason"))
      .with_hint("Run 'git status' and 'git fsck' in the repository to see what is wrong.");
}

core::Result<Repository> open(const std::filesystem::path& dir) {
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, dir.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) != 0) {
    return core::make_error(core::ErrorCode::kNotFound, "'{}' is not a git repository",
                            dir.string())
        .with_hint("Clone your GitOps repository there, or create one with 'git init'.");
  }
  return Repository(raw);
}

core::Result<std::string> resolve_branch(git_repository* repo, const std::string& requested) {
  std::string branch = requested;
  if (branch.empty()) {
    git_reference* raw = nullptr;
    if (git_reference_lookup(&raw, repo, "HEAD") != 0) return error("reading HEAD");
    const Reference head(raw);
    const char* target = git_reference_symbolic_target(head.get());
    if (target == nullptr || !std::string_view(target).starts_with("refs/heads/")) {
      return core::Error(core::ErrorCode::kPreconditionFailed, "HEAD is not on a branch")
          .with_hint("Check out a branch, or name one with --branch.");
    }
    branch = std::string(target).substr(std::string_view("refs/heads/").size());
  }
  int is_valid = 0;
  const std::string ref = "refs/heads/" + branch;
  if (git_reference_name_is_valid(&is_valid, ref.c_str()) != 0 || is_valid == 0) {
    return core::make_error(core::ErrorCode::kInvalidArgument, "'{}' is not a valid branch name",
                            branch)
        .with_hint("Use a name such as 'main' or 'render/2025-01'.");
  }
  return branch;
}

core::Result<std::optional<Commit>> branch_tip(git_repository* repo, const std::string& branch) {
  git_oid id;
  const std::string ref = "refs/heads/" + branch;
  const int rc = git_reference_name_to_id(&id, repo, ref.c_str());
  if (rc == GIT_ENOTFOUND) return std::optional<Commit>();
  if (rc != 0) return error(fmt::format("reading branch '{}'", branch));
  git_commit* raw = nullptr;
  if (git_commit_lookup(&raw, repo, &id) != 0) {
    return error(fmt::format("reading the tip of '{}'", branch));
  }
  return std::optional<Commit>(Commit(raw));
}

std::optional<Commit> head_commit(git_repository* repo) {
  git_oid id;
  if (git_reference_name_to_id(&id, repo, "HEAD") != 0) return std::nullopt;
  git_commit* raw = nullptr;
  if (git_commit_lookup(&raw, repo, &id) != 0) return std::nullopt;
  return Commit(raw);
}

core::Result<std::vector<std::string>> split_path(const std::string& path) {
  std::vector<std::string> parts;
  for (auto& part : core::split(path, '/')) {
    if (part.empty()) continue;
    if (part == "." || part == ".." || part == ".git") {
      return core::make_error(core::ErrorCode::kInvalidArgument,
                              "'{}' is not a folder inside the repository", path)
          .with_hint("Give a relative path such as 'clusters/prod'.");
    }
    parts.push_back(std::move(part));
  }
  if (!path.empty() && path.front() == '/') {
    return core::make_error(core::ErrorCode::kInvalidArgument,
                            "'{}' is not a folder inside the repository", path)
        .with_hint("Give a path relative to the repository's root.");
  }
  return parts;
}

core::Result<FileMap> read_files(git_repository* repo, const git_tree* root,
                                 const std::vector<std::string>& components) {
  FileMap files;
  TreeHandle held;
  const git_tree* folder = root;
  for (const auto& name : components) {
    held = subtree(repo, folder, name);
    folder = held.get();
  }
  if (folder == nullptr) return files;
  for (const auto root_name : kTreeRoots) {
    const std::string name(root_name);
    const git_tree_entry* entry = git_tree_entry_byname(folder, name.c_str());
    if (entry == nullptr) continue;
    if (git_tree_entry_type(entry) == GIT_OBJECT_BLOB) {
      BALLAST_ASSIGN_OR_RETURN(files[name], blob_text(repo, git_tree_entry_id(entry)));
      continue;
    }
    const TreeHandle sub = subtree(repo, folder, name);
    if (!sub) continue;
    Walk walk{repo, name + "/", &files, std::nullopt};
    if (git_tree_walk(sub.get(), GIT_TREEWALK_PRE, collect, &walk) != 0) {
      if (walk.failure) return std::move(*walk.failure);
      return error(fmt::format("reading '{}'", name));
    }
  }
  return files;
}

core::Result<git_oid> build_tree(git_repository* repo, const git_tree* root,
                                 const std::vector<std::string>& components, const FileMap& files) {
  if (components.empty()) return replace_roots(repo, root, files);
  const TreeHandle child = subtree(repo, root, components.front());
  const std::vector<std::string> rest(components.begin() + 1, components.end());
  BALLAST_ASSIGN_OR_RETURN(const git_oid child_id, build_tree(repo, child.get(), rest, files));
  BALLAST_ASSIGN_OR_RETURN(TreeBuilder bld, builder(repo, root));
  BALLAST_TRY(insert(bld.get(), components.front(), child_id, GIT_FILEMODE_TREE));
  return write(bld.get());
}

core::Result<Signature> signature(git_repository* repo) {
  git_signature* raw = nullptr;
  if (git_signature_default(&raw, repo) == 0) return Signature(raw);
  if (git_signature_now(&raw, "Ballast", "ballast@localhost") != 0) {
    return error("making the commit's signature");
  }
  return Signature(raw);
}

bool is_checked_out(git_repository* repo, const std::string& branch) {
  if (git_repository_is_bare(repo) != 0) return false;
  git_reference* raw = nullptr;
  if (git_reference_lookup(&raw, repo, "HEAD") != 0) return false;
  const Reference head(raw);
  const char* target = git_reference_symbolic_target(head.get());
  return target != nullptr && std::string_view(target) == "refs/heads/" + branch;
}

}  // namespace ballast::runtime::kubernetes::git
