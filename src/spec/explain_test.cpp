#include "spec/explain.h"

#include <gtest/gtest.h>

#include "spec/model_schema.h"

namespace ballast::spec {
namespace {

TEST(Explain, DescribesTheTopAndNestedKeys) {
  auto top = explain("").value();
  EXPECT_EQ(top["object"], "spec");
  EXPECT_EQ(top["fields"].size(), 9U);
  auto approvals = explain("security.approvals").value();
  EXPECT_EQ(approvals["default"], "[]");
  auto rpo = explain("tenants.continuity.billing.rpo").value();
  EXPECT_EQ(rpo["type"], "duration (e.g. 15m, 24h, 7d)");
  EXPECT_EQ(rpo["default"], "1h");
  auto tier = explain("tenants.tier").value();
  EXPECT_EQ(tier["choices"], nlohmann::json({"shared", "dedicated"}));
  EXPECT_NE(explain_text(explain("plans").value()).find("request_rate"), std::string::npos);
}

TEST(Explain, SuggestsForUnknownKeys) {
  auto bad = explain("tenants.continuty");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message(), "'tenants' has no key 'continuty'; did you mean 'continuity'?");
}

TEST(ToJson, SpellsValuesAsInYaml) {
  Plan plan;
  plan.name = "small";
  plan.memory = ByteSize{1ULL << 30};
  plan.request_rate = Rate{20, Duration(1)};
  const auto json = to_json(plan);
  EXPECT_EQ(json["memory"], "1GiB");
  EXPECT_EQ(json["request_rate"], "20/s");
  EXPECT_EQ(json["workers"], 0);
}

}  // namespace
}  // namespace ballast::spec
