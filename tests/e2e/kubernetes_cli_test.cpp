// The Kubernetes commands as a platform engineer runs them: render both examples and validate
// every document offline; commit to Git once (a second render commits nothing); a hand edit
// shows as drift with exit code 1.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/subprocess.h"
#include "harness/harness.h"

namespace ballast::testing {
namespace {

std::filesystem::path example(const char* name) { return source_dir() / "examples" / name; }

CommandResult run_command(std::vector<std::string> argv) {
  auto done = core::run(core::Command{.argv = std::move(argv)}, std::chrono::minutes(5));
  if (!done.has_value()) return {-1, "", done.error().to_string()};
  return {done->status.code, done->out, done->err};
}

CommandResult git(const std::filesystem::path& repo, std::vector<std::string> args) {
  args.insert(args.begin(), {"git", "-C", repo.string()});
  return run_command(args);
}

TEST(KubernetesCli, RendersBothExamplesToValidDocuments) {
  const auto validator = source_dir() / ".." / "shared" / "tools" / "validate-k8s";
  if (!std::filesystem::exists(validator)) GTEST_SKIP() << "no " << validator;
  for (const char* name : {"minimal.yaml", "consulting-firm.yaml"}) {
    TempDir dir;
    auto r = run_ballast({"render", "kubernetes", "-f", example(name).string(), "-o",
                          (dir.path() / "tree").string(), "--output", "json"},
                         dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_GT(nlohmann::json::parse(r.out)["written"].get<int>(), 0) << r.out;
    // Base objects carry no namespace (each overlay sets it): names repeat across the tree.
    auto checked = run_command({"/usr/bin/python3", validator.string(), "--allow-duplicates",
                                (dir.path() / "tree").string()});
    EXPECT_EQ(checked.exit_code, 0) << name << ": " << checked.out << checked.err;
    EXPECT_NE((checked.out + checked.err).find(" 0 invalid"), std::string::npos)
        << checked.out << checked.err;
  }
}

TEST(KubernetesCli, GitCommitsOnceAndDriftFindsAHandEdit) {
  TempDir dir;
  const auto repo = dir.path() / "gitops";
  std::filesystem::create_directories(repo);
  ASSERT_EQ(git(repo, {"init", "-q", "-b", "main"}).exit_code, 0);
  const auto spec = example("consulting-firm.yaml").string();
  auto first =
      run_ballast({"render", "kubernetes", "-f", spec, "--git", repo.string()}, dir.path());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto second =
      run_ballast({"render", "kubernetes", "-f", spec, "--git", repo.string()}, dir.path());
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("Nothing to commit"), std::string::npos) << second.out;
  EXPECT_EQ(git(repo, {"rev-list", "--count", "HEAD"}).out, "1\n");
  EXPECT_EQ(run_ballast({"drift", "kubernetes", "-f", spec, "--git", repo.string()}, dir.path())
                .exit_code,
            0);

  const auto odoo = repo / "base" / "tenants" / "lexington-legal" / "odoo.yaml";
  auto text = read_text(odoo);
  const auto at = text.find("replicas: ");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, std::string("replicas: ").size() + 1, "replicas: 9");
  write_text(odoo, text);
  ASSERT_EQ(git(repo, {"-c", "user.name=ops", "-c", "user.email=ops@example.test", "commit", "-qam",
                       "scale by hand"})
                .exit_code,
            0);
  auto drift = run_ballast(
      {"drift", "kubernetes", "-f", spec, "--git", repo.string(), "--output", "json"}, dir.path());
  EXPECT_EQ(drift.exit_code, 1) << drift.err;
  const auto json = nlohmann::json::parse(drift.out);
  ASSERT_TRUE(json["drift"].get<bool>());
  EXPECT_EQ(
      json["differences"][0]["object"].get<std::string>().rfind("Deployment lexington-legal", 0),
      0U)
      << json.dump(1);
}

}  // namespace
}  // namespace ballast::testing
