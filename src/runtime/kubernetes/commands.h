// The Kubernetes commands of the CLI, one call each, with their JSON forms for `--output json`:
//   ballast render kubernetes -f FILE -o DIR                      → render_to_directory()
//   ballast render kubernetes -f FILE --git REPO [--branch B] [--message M] → render_to_git()
//   ballast drift kubernetes -f FILE --git REPO [--branch B]      → drift_from_git() (exit 1 when
//                                                                   the result is not empty)
// They render (render.h) and then write (tree.h) or commit/compare (gitops.h); errors are those
// functions' errors.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"
#include "runtime/kubernetes/gitops.h"
#include "runtime/kubernetes/render.h"
#include "runtime/kubernetes/tree.h"
#include "spec/model.h"

namespace ballast::runtime::kubernetes {

struct DirectoryReport {
  WriteOutcome written;
  std::vector<std::string> warnings;  // Tree::warnings, for the CLI to print
};

struct GitReport {
  CommitOutcome commit;
  std::vector<std::string> warnings;
};

// Renders and writes the tree into `dir`.
core::Result<DirectoryReport> render_to_directory(const spec::Spec& spec,
                                                  const RenderOptions& options,
                                                  const std::filesystem::path& dir);

// Renders and commits the tree if it changed. When options.repo_path is empty, the Argo CD
// Applications point at `target.path`, where the tree is committed.
core::Result<GitReport> render_to_git(const spec::Spec& spec, RenderOptions options,
                                      const GitTarget& target, const std::string& message);

// Renders and compares with the branch: the drift, per object (empty: none).
core::Result<std::vector<Difference>> drift_from_git(const spec::Spec& spec, RenderOptions options,
                                                     const GitTarget& target);

Json to_json(const DirectoryReport& report);
Json to_json(const GitReport& report);

}  // namespace ballast::runtime::kubernetes
