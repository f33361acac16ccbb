// Properties of the render that matter to users, checked on both examples and a generated spec
// of 100 tenants: no secret value anywhere; Deployment selectors match their templates; one cron
// runner per tenant; a default-deny policy in every namespace; /websocket to the gevent Service.
#include <array>
#include <cstdlib>
#include <functional>
#include <map>
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "runtime/kubernetes/render.h"
#include "spec/loader.h"
#include "support/synthetic_spec.h"

namespace ballast::runtime::kubernetes {
namespace {

namespace fs = std::filesystem;

fs::path source_dir() {
  const char* dir = std::getenv("BALLAST_SOURCE_DIR");
  return dir != nullptr ? dir : ".";
}

// The spec's secrets live in these environment variables (named in the spec, never read by the
// renderer): give them recognisable values so a leak would show in the text.
constexpr const char* kSentinel = "sentinel-secret-value-7f3a";

struct Case {
  std::string name;
  spec::Spec spec;
};

std::vector<Case> cases() {
  for (const char* var : {"NORTHWIND_S3_KEY_ID", "NORTHWIND_S3_SECRET", "SYNTHETIC_S3_KEY_ID",
                          "SYNTHETIC_S3_SECRET"}) {
    setenv(var, kSentinel, 1);
  }
  std::vector<Case> out;
  for (const char* name : {"minimal", "consulting-firm"}) {
    auto spec = spec::load(source_dir() / "examples" / (std::string(name) + ".yaml"));
    EXPECT_TRUE(spec.has_value()) << name;
    if (spec) out.push_back({name, std::move(*spec)});
  }
  auto synthetic = spec::parse(ballast::testing::synthetic_spec_yaml(100), "synthetic.yaml");
  EXPECT_TRUE(synthetic.has_value()) << synthetic.error().to_string();
  if (synthetic) out.push_back({"synthetic-100", std::move(*synthetic)});
  return out;
}

// Every object `kubectl kustomize overlays/<env>` builds, for every environment.
std::vector<Json> applied_objects(const spec::Spec& spec) {
  std::set<std::string> envs{"production"};
  for (const auto& tenant : spec.tenants) {
    for (const auto& env : tenant.environments) envs.insert(env.name);
  }
  std::vector<Json> all;
  for (const auto& env : envs) {
    auto objects = render_environment(spec, RenderOptions{}, env);
    EXPECT_TRUE(objects.has_value()) << env;
    if (objects) all.insert(all.end(), objects->begin(), objects->end());
  }
  return all;
}

std::string label(const Json& object, const std::string& key) {
  const Json& labels = object["metadata"]["labels"];
  return labels.contains(key) ? labels[key].get<std::string>() : "";
}

class Properties : public ::testing::TestWithParam<std::size_t> {
 protected:
  const Case& current() const {
    static const std::vector<Case> all = cases();  // loaded once for every test
    return all.at(GetParam());
  }
};

TEST_P(Properties, NoSecretValueAnywhere) {
  auto tree = render(current().spec, RenderOptions{});
  ASSERT_TRUE(tree.has_value()) << tree.error().to_string();
  const std::regex secret_name("(PASSWORD|SECRET|TOKEN|_KEY)", std::regex::icase);
  for (const auto& [path, content] : tree->files) {
    EXPECT_EQ(content.find(kSentinel), std::string::npos) << path;
    auto docs = parse_yaml_stream(content);
    if (!docs) continue;  // README.md
    for (const auto& doc : *docs) {
      if (doc.contains("kind") && doc["kind"] == "Secret") {
        EXPECT_FALSE(doc.contains("data") || doc.contains("stringData")) << path;
      }
    }
  }
  for (const auto& object : applied_objects(current().spec)) {
    // Every variable that looks like a credential comes from a Secret, never a literal.
    std::function<void(const Json&)> walk = [&](const Json& node) {
      if (node.is_object() && node.contains("name") && node.contains("value") &&
          node["name"].is_string() &&
          std::regex_search(node["name"].get<std::string>(), secret_name)) {
        ADD_FAILURE() << "literal credential " << node.dump() << " in "
                      << object["metadata"]["name"];
      }
      if (node.is_structured()) {
        for (const auto& child : node) walk(child);
      }
    };
    walk(object);
  }
}

TEST_P(Properties, DeploymentSelectorsMatchTheirTemplates) {
  for (const auto& object : applied_objects(current().spec)) {
    if (object["kind"] != "Deployment") continue;
    const Json& selector = object["spec"]["selector"]["matchLabels"];
    const Json& labels = object["spec"]["template"]["metadata"]["labels"];
    ASSERT_FALSE(selector.empty()) << object["metadata"]["name"];
    for (const auto& [key, value] : selector.items()) {
      EXPECT_TRUE(labels.contains(key) && labels[key] == value)
          << object["metadata"]["name"] << ": " << key;
    }
  }
}

TEST_P(Properties, ExactlyOneCronRunnerPerTenant) {
  std::map<std::string, int> runners;  // namespace/tenant → cron Deployments
  std::set<std::string> tenants;
  for (const auto& object : applied_objects(current().spec)) {
    if (object["kind"] != "Deployment" || label(object, "app.kubernetes.io/name") != "odoo") {
      continue;
    }
    const std::string key = object["metadata"]["namespace"].get<std::string>() + "/" +
                            label(object, "ballast.io/tenant");
    tenants.insert(key);
    if (label(object, "app.kubernetes.io/component") != "cron") continue;
    ++runners[key];
    EXPECT_LE(object["spec"]["replicas"].get<int>(), 1) << key;
    EXPECT_EQ(object["spec"]["strategy"]["type"], "Recreate") << key;
  }
  ASSERT_FALSE(tenants.empty());
  for (const auto& key : tenants) EXPECT_EQ(runners[key], 1) << key;
}

TEST_P(Properties, EveryNamespaceDeniesByDefault) {
  const auto objects = applied_objects(current().spec);
  std::set<std::string> denied;
  for (const auto& object : objects) {
    if (object["kind"] != "NetworkPolicy") continue;
    const Json& spec = object["spec"];
    if (spec["podSelector"].empty() && !spec.contains("ingress") && !spec.contains("egress") &&
        spec["policyTypes"] == Json::array({"Ingress", "Egress"})) {
      denied.insert(object["metadata"]["namespace"].get<std::string>());
    }
  }
  int namespaces = 0;
  for (const auto& object : objects) {
    if (object["kind"] != "Namespace") continue;
    ++namespaces;
    EXPECT_EQ(denied.count(object["metadata"]["name"].get<std::string>()), 1U)
        << object["metadata"]["name"];
  }
  EXPECT_GE(namespaces, 2);
}

TEST_P(Properties, EveryIngressRouteSendsWebsocketToGevent) {
  const auto objects = applied_objects(current().spec);
  std::map<std::string, const Json*> services;  // namespace/name → Service
  for (const auto& object : objects) {
    if (object["kind"] == "Service") {
      services[object["metadata"]["namespace"].get<std::string>() + "/" +
               object["metadata"]["name"].get<std::string>()] = &object;
    }
  }
  int routes = 0;
  for (const auto& object : objects) {
    if (object["kind"] != "IngressRoute") continue;
    ++routes;
    const std::string ns = object["metadata"]["namespace"];
    bool is_routed = false;
    for (const auto& route : object["spec"]["routes"]) {
      if (route["match"].get<std::string>().find("PathPrefix(`/websocket`)") == std::string::npos) {
        continue;
      }
      const auto it = services.find(ns + "/" + route["services"][0]["name"].get<std::string>());
      ASSERT_NE(it, services.end()) << route.dump();
      const Json& selector = (*it->second)["spec"]["selector"];
      is_routed = selector["app.kubernetes.io/component"] == "websocket" &&
                  (*it->second)["spec"]["ports"][0]["port"] == 8072;
    }
    EXPECT_TRUE(is_routed) << object["metadata"]["name"];
  }
  EXPECT_GT(routes, 0);
}

std::string case_name(const ::testing::TestParamInfo<std::size_t>& param) {
  static const std::array<const char*, 3> kNames = {"Minimal", "ConsultingFirm", "Synthetic100"};
  return kNames.at(param.param);
}

INSTANTIATE_TEST_SUITE_P(Specs, Properties, ::testing::Values(0U, 1U, 2U), case_name);

}  // namespace
}  // namespace ballast::runtime::kubernetes
