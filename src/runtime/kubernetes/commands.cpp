// One call per CLI command: render, then write, commit or compare.
#include "runtime/kubernetes/commands.h"

namespace ballast::runtime::kubernetes {
namespace {

// The Applications must point where the tree is committed.
void follow_target(RenderOptions& options, const GitTarget& target) {
  if (options.repo_path.empty()) options.repo_path = target.path;
}

Json differences_json(const std::vector<Difference>& differences) {
  Json list = Json::array();
  for (const auto& d : differences) list.push_back(to_json(d));
  return list;
}

}  // namespace

core::Result<DirectoryReport> render_to_directory(const spec::Spec& spec,
                                                  const RenderOptions& options,
                                                  const std::filesystem::path& dir) {
  BALLAST_ASSIGN_OR_RETURN(Tree tree, render(spec, options));
  BALLAST_ASSIGN_OR_RETURN(WriteOutcome written, write_tree(tree, dir));
  return DirectoryReport{written, std::move(tree.warnings)};
}

core::Result<GitReport> render_to_git(const spec::Spec& spec, RenderOptions options,
                                      const GitTarget& target, const std::string& message) {
  follow_target(options, target);
  BALLAST_ASSIGN_OR_RETURN(Tree tree, render(spec, options));
  BALLAST_ASSIGN_OR_RETURN(CommitOutcome commit, commit_tree(target, message, tree));
  return GitReport{std::move(commit), std::move(tree.warnings)};
}

core::Result<std::vector<Difference>> drift_from_git(const spec::Spec& spec, RenderOptions options,
                                                     const GitTarget& target) {
  follow_target(options, target);
  BALLAST_ASSIGN_OR_RETURN(const Tree tree, render(spec, options));
  return drift(target, tree);
}

Json to_json(const DirectoryReport& report) {
  return {{"written", report.written.written},
          {"unchanged", report.written.unchanged},
          {"removed", report.written.removed},
          {"warnings", report.warnings}};
}

Json to_json(const GitReport& report) {
  return {{"committed", report.commit.is_committed},
          {"commit", report.commit.commit_id},
          {"branch", report.commit.branch},
          {"changes", differences_json(report.commit.changes)},
          {"warnings", report.warnings}};
}

}  // namespace ballast::runtime::kubernetes
