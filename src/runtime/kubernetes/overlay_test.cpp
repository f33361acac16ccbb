#include "runtime/kubernetes/overlay.h"

#include <gtest/gtest.h>

namespace ballast::runtime::kubernetes {
namespace {

TEST(JsonPatch, TurnsOneDocumentIntoAnother) {
  struct Case {
    const char* name;
    Json from;
    Json to;
    Json ops;
  };
  const std::vector<Case> cases = {
      {"equal", {{"a", 1}}, {{"a", 1}}, Json::array()},
      {"scalar",
       {{"a", 1}, {"b", 2}},
       {{"a", 1}, {"b", 3}},
       Json::array({{{"op", "replace"}, {"path", "/b"}, {"value", 3}}})},
      {"key added and removed",
       {{"a", 1}, {"b", 2}},
       {{"a", 1}, {"c", 3}},
       Json::array(
           {{{"op", "remove"}, {"path", "/b"}}, {{"op", "add"}, {"path", "/c"}, {"value", 3}}})},
      {"label keys escaped",
       {{"l", {{"x", 0}, {"a/b~c", 1}}}},
       {{"l", {{"x", 0}, {"a/b~c", 2}}}},
       Json::array({{{"op", "replace"}, {"path", "/l/a~1b~0c"}, {"value", 2}}})},
      {"array element",
       {{"a", {1, 2, 3}}},
       {{"a", {1, 5, 3}}},
       Json::array({{{"op", "replace"}, {"path", "/a/1"}, {"value", 5}}})},
      {"array shortened",
       {{"a", {1, 2, 3}}},
       {{"a", {1}}},
       Json::array({{{"op", "remove"}, {"path", "/a/2"}}, {{"op", "remove"}, {"path", "/a/1"}}})},
      {"array grown",
       {{"a", {1}}},
       {{"a", {1, 2}}},
       Json::array({{{"op", "add"}, {"path", "/a/-"}, {"value", 2}}})},
      {"array reshuffled",
       {{"a", {1, 2}}},
       {{"a", {2}}},
       Json::array({{{"op", "replace"}, {"path", "/a"}, {"value", {2}}}})},
      {"object with no key in common",
       {{"o", {{"x", 1}}}, {"k", 0}},
       {{"o", {{"y", 2}}}, {"k", 0}},
       Json::array({{{"op", "replace"}, {"path", "/o"}, {"value", {{"y", 2}}}}})},
  };
  for (const auto& c : cases) EXPECT_EQ(json_patch(c.from, c.to), c.ops) << c.name;
}

Json object(const char* kind, const char* name, int replicas) {
  return {{"apiVersion", "apps/v1"},
          {"kind", kind},
          {"metadata", {{"name", name}}},
          {"spec", {{"replicas", replicas}}}};
}

TEST(UnitOverlay, PatchesDeletesAndAdds) {
  const std::vector<Manifest> base = {{"a.yaml", object("Deployment", "web", 2)},
                                      {"a.yaml", object("Deployment", "gone", 1)}};
  const std::vector<Manifest> target = {{"a.yaml", object("Deployment", "web", 1)},
                                        {"b.yaml", object("Deployment", "new", 1)}};
  const UnitOverlay overlay = diff_unit(base, target);
  ASSERT_EQ(overlay.patches.size(), 1U);
  EXPECT_EQ(overlay.patches[0].target.name, "web");
  ASSERT_EQ(overlay.deletions.size(), 1U);
  EXPECT_EQ(overlay.deletions[0].name, "gone");
  ASSERT_EQ(overlay.additions.size(), 1U);
  const std::string text = unit_kustomization("../base/x", overlay, true);
  EXPECT_NE(text.find("group: apps\n      version: v1\n      kind: Deployment\n      name: web"),
            std::string::npos);
  EXPECT_NE(text.find("$patch: delete"), std::string::npos);
  EXPECT_NE(text.find("- extra.yaml"), std::string::npos);
  EXPECT_TRUE(diff_unit(base, base).is_empty());
}

}  // namespace
}  // namespace ballast::runtime::kubernetes
