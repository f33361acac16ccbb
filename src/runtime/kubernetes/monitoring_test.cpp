// The PrometheusRule objects of the tree carry monitor/'s rules, the same ones `ballast render
// alerts` writes (issue 8): one table, two renders.
#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "monitor/alert_rules.h"
#include "runtime/kubernetes/render.h"
#include "spec/loader.h"

namespace ballast::runtime::kubernetes {
namespace {

namespace fs = std::filesystem;

fs::path source_dir() {
  const char* dir = std::getenv("BALLAST_SOURCE_DIR");
  return dir != nullptr ? dir : ".";
}

// The group `name` of the PrometheusRule in the tree file `path`; a null node when absent.
YAML::Node group_in(const Tree& tree, const std::string& path, const std::string& name) {
  const auto it = tree.files.find(path);
  if (it == tree.files.end()) return {};
  for (const auto& doc : YAML::LoadAll(it->second)) {
    if (doc["kind"].as<std::string>() != "PrometheusRule") continue;
    for (const auto& group : doc["spec"]["groups"]) {
      if (group["name"].as<std::string>() == name) return group;
    }
  }
  return {};
}

void expect_same_rules(const YAML::Node& group, const monitor::RuleGroup& expected) {
  ASSERT_TRUE(group.IsMap()) << expected.name << " is missing";
  ASSERT_EQ(group["rules"].size(), expected.rules.size()) << expected.name;
  for (std::size_t i = 0; i < expected.rules.size(); ++i) {
    const auto& want = expected.rules[i];
    const auto got = group["rules"][i];
    EXPECT_EQ(got["alert"].as<std::string>(), want.alert);
    EXPECT_EQ(got["expr"].as<std::string>(), want.expr);
    EXPECT_EQ(got["for"].as<std::string>(), monitor::prometheus_duration(want.for_duration));
    EXPECT_EQ(got["labels"]["severity"].as<std::string>(), want.severity());
    EXPECT_EQ(got["annotations"]["description"].as<std::string>(), want.description);
  }
}

TEST(KubernetesMonitoring, PrometheusRulesCarryTheRulesOfRenderAlerts) {
  auto spec = spec::load(source_dir() / "examples" / "consulting-firm.yaml");
  ASSERT_TRUE(spec.has_value()) << spec.error().to_string();
  auto tree = render(*spec, RenderOptions{});
  ASSERT_TRUE(tree.has_value()) << tree.error().to_string();
  for (const auto& tenant : spec->tenants) {
    for (const auto& expected : monitor::tenant_alert_rules(*spec, tenant)) {
      expect_same_rules(
          group_in(*tree, "base/tenants/" + tenant.name + "/alerts.yaml", expected.name), expected);
    }
  }
  for (const auto& pool : spec->pools) {
    for (const auto& expected : monitor::cluster_alert_rules(*spec, pool.name)) {
      expect_same_rules(
          group_in(*tree, "base/pools/" + pool.name + "/monitoring.yaml", expected.name), expected);
    }
  }
  for (const auto& stack : spec->stacks) {
    for (const auto& expected : monitor::cluster_alert_rules(*spec, stack.name)) {
      expect_same_rules(
          group_in(*tree, "base/stacks/" + stack.name + "/monitoring.yaml", expected.name),
          expected);
    }
  }
}

}  // namespace
}  // namespace ballast::runtime::kubernetes
