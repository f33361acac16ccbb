// The rendered tree against the real checkers, for both examples and a generated spec of 100
// tenants: every document passes ../shared/tools/validate-k8s; every overlay builds with
// `kubectl kustomize` (skipped without kubectl), the build passes validate-k8s as one set to
// apply, and it is exactly what render_environment() says — which proves the generated patches.
#include <array>
#include <chrono>
#include <cstdlib>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "core/subprocess.h"
#include "core/text.h"
#include "runtime/kubernetes/render.h"
#include "runtime/kubernetes/tree.h"
#include "spec/loader.h"
#include "support/synthetic_spec.h"
#include "support/temp_dir.h"

namespace ballast::runtime::kubernetes {
namespace {

namespace fs = std::filesystem;
using Canonical = nlohmann::json;
constexpr std::chrono::minutes kTimeout{5};

fs::path source_dir() {
  const char* dir = std::getenv("BALLAST_SOURCE_DIR");
  return dir != nullptr ? dir : ".";
}

fs::path validator() {
  const char* path = std::getenv("BALLAST_VALIDATE_K8S");
  return path != nullptr ? path : source_dir() / ".." / "shared" / "tools" / "validate-k8s";
}

// Runs validate-k8s on `args` (with `input` on stdin for "-"); fails the test with its report.
void expect_valid(std::vector<std::string> args, const std::string& input = {}) {
  ASSERT_TRUE(fs::exists(validator())) << validator() << " is missing: the tree cannot be checked";
  core::Command command;
  command.argv = {"/usr/bin/python3", validator().string()};
  command.argv.insert(command.argv.end(), args.begin(), args.end());
  auto done = core::run(command, kTimeout, input);
  ASSERT_TRUE(done.has_value()) << done.error().to_string();
  std::string failures;
  for (const auto& line : core::split(done->out, '\n')) {
    if (line.find(": FAIL ") != std::string::npos) failures += line + "\n";
  }
  EXPECT_TRUE(done->status.is_success()) << failures << done->err << done->out.substr(0, 2000);
  EXPECT_NE((done->out + done->err).find(" 0 invalid"), std::string::npos) << done->err;
}

struct Case {
  std::string name;
  spec::Spec spec;
};

Case load_case(std::size_t index) {
  if (index < 2) {
    const std::string name = index == 0 ? "minimal" : "consulting-firm";
    auto spec = spec::load(source_dir() / "examples" / (name + ".yaml"));
    EXPECT_TRUE(spec.has_value()) << name;
    return {name, spec.has_value() ? std::move(*spec) : spec::Spec{}};
  }
  auto spec = spec::parse(ballast::testing::synthetic_spec_yaml(100), "synthetic.yaml");
  EXPECT_TRUE(spec.has_value()) << spec.error().to_string();
  return {"synthetic-100", spec.has_value() ? std::move(*spec) : spec::Spec{}};
}

std::vector<std::string> environments(const Tree& tree) {
  std::set<std::string> envs;
  for (const auto& [path, content] : tree.files) {
    const auto parts = core::split(path, '/');
    if (parts.size() == 2 && parts[0] == "overlays") continue;
    if (parts.size() > 2 && parts[0] == "overlays") envs.insert(parts[1]);
  }
  return {envs.begin(), envs.end()};
}

// Objects keyed by "Kind namespace/name", content in canonical (key-sorted) form.
std::map<std::string, Canonical> by_identity(const std::vector<Json>& docs) {
  std::map<std::string, Canonical> out;
  for (const auto& doc : docs) {
    const Json& meta = doc["metadata"];
    const std::string key =
        doc["kind"].get<std::string>() + " " +
        (meta.contains("namespace") ? meta["namespace"].get<std::string>() : "") + "/" +
        meta["name"].get<std::string>();
    EXPECT_EQ(out.count(key), 0U) << key << " twice";
    out[key] = Canonical::parse(doc.dump());
  }
  return out;
}

class RenderedTree : public ::testing::TestWithParam<std::size_t> {};

TEST_P(RenderedTree, EveryDocumentPassesValidateK8s) {
  const Case c = load_case(GetParam());
  auto tree = render(c.spec, RenderOptions{});
  ASSERT_TRUE(tree.has_value()) << tree.error().to_string();
  const ballast::testing::TempDir dir;
  ASSERT_TRUE(write_tree(*tree, dir.path()).has_value());
  // Base objects carry no namespace (each overlay places them), so the same name may appear in
  // two bases: the raw tree is a set of alternatives, not one set to apply.
  expect_valid({"--allow-duplicates", dir.path().string()});
}

TEST_P(RenderedTree, EveryOverlayBuildsWithKustomizeToWhatBallastRenders) {
  if (core::find_program("kubectl").empty()) GTEST_SKIP() << "kubectl is not on PATH";
  const Case c = load_case(GetParam());
  auto tree = render(c.spec, RenderOptions{});
  ASSERT_TRUE(tree.has_value()) << tree.error().to_string();
  const ballast::testing::TempDir dir;
  ASSERT_TRUE(write_tree(*tree, dir.path()).has_value());
  const auto envs = environments(*tree);
  ASSERT_FALSE(envs.empty());
  for (const auto& env : envs) {
    SCOPED_TRACE(c.name + " " + env);
    core::Command kustomize;
    kustomize.argv = {"kubectl", "kustomize", (dir.path() / "overlays" / env).string()};
    auto built = core::run_checked(kustomize, kTimeout);
    ASSERT_TRUE(built.has_value()) << built.error().to_string();
    expect_valid({"-"}, built->out);  // one set to apply: no duplicates allowed
    auto from_kustomize = parse_yaml_stream(built->out);
    ASSERT_TRUE(from_kustomize.has_value());
    auto direct = render_environment(c.spec, RenderOptions{}, env);
    ASSERT_TRUE(direct.has_value());
    auto from_ballast = parse_yaml_stream(to_yaml_stream(*direct));
    ASSERT_TRUE(from_ballast.has_value());
    const auto built_objects = by_identity(*from_kustomize);
    const auto expected_objects = by_identity(*from_ballast);
    for (const auto& [key, object] : expected_objects) {
      const auto it = built_objects.find(key);
      if (it == built_objects.end()) {
        ADD_FAILURE() << key << " is missing from the kustomize build";
      } else if (it->second != object) {
        ADD_FAILURE() << key << " differs: " << Canonical::diff(object, it->second).dump();
      }
    }
    for (const auto& [key, object] : built_objects) {
      EXPECT_EQ(expected_objects.count(key), 1U) << key << " is built but not rendered";
    }
  }
}

std::string case_name(const ::testing::TestParamInfo<std::size_t>& param) {
  static const std::array<const char*, 3> kNames = {"Minimal", "ConsultingFirm", "Synthetic100"};
  return kNames.at(param.param);
}

INSTANTIATE_TEST_SUITE_P(Specs, RenderedTree, ::testing::Values(0U, 1U, 2U), case_name);

}  // namespace
}  // namespace ballast::runtime::kubernetes
