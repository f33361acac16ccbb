// Rendered trees on disk, and what differs between two trees, object by object — the one
// comparison behind `render … -o DIR`, the commit message of `render … --git` and `drift`.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "runtime/kubernetes/document.h"
#include "runtime/kubernetes/render.h"

namespace ballast::runtime::kubernetes {

// Relative path → content.
using FileMap = std::map<std::string, std::string>;

enum class ChangeKind {
  kAdded,        // in `after` only (drift: rendered, missing from Git)
  kRemoved,      // in `before` only (drift: in Git, no longer rendered)
  kChanged,      // in both, different
  kReformatted,  // in both, same objects, different text (comments, layout, key order)
};

struct Difference {
  ChangeKind kind = ChangeKind::kChanged;
  std::string path;    // the file, relative to the tree
  std::string object;  // "Deployment acme-web"; "" for a non-YAML file or unreadable YAML
  std::string owner;   // "tenant acme", "pool shared-eu", "stack x", "namespace x", "platform"
  std::vector<std::string> fields;  // kChanged: fields that differ ("spec.replicas"), at most 8
};

// What changes when `before` becomes `after`. YAML files are compared document by document
// (matched by kind and name) on their content, so formatting and key order do not count;
// other files byte for byte; a YAML file whose text differs while its objects do not is one
// kReformatted difference. Sorted by owner, path, object.
std::vector<Difference> compare_trees(const FileMap& before, const FileMap& after);

// One line: "changed Deployment acme-web (base/tenants/acme/odoo.yaml): spec.replicas".
std::string describe(const Difference& difference);
// {"change", "path", "object", "owner", "fields"} for `--output json`.
Json to_json(const Difference& difference);
// Differences grouped by owner, one line each: a commit message's body.
std::string summarize(const std::vector<Difference>& differences);

struct WriteOutcome {
  std::size_t written = 0;    // files created or changed
  std::size_t unchanged = 0;  // files already identical (left untouched, mtime kept)
  std::size_t removed = 0;    // stale files under the tree's roots
};

// Writes `tree` into `dir` (created when missing): each changed file atomically, identical files
// untouched, and files under kTreeRoots that the tree no longer has removed (with directories
// left empty). Nothing outside kTreeRoots is touched. kIo/kPermissionDenied/kNoSpace naming
// the path on failure.
core::Result<WriteOutcome> write_tree(const Tree& tree, const std::filesystem::path& dir);

// The files under kTreeRoots of `dir` (empty when `dir` does not exist).
core::Result<FileMap> read_tree(const std::filesystem::path& dir);

}  // namespace ballast::runtime::kubernetes
