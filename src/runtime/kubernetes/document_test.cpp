#include "runtime/kubernetes/document.h"

#include <gtest/gtest.h>

namespace ballast::runtime::kubernetes {
namespace {

TEST(Document, AmbiguousScalarsAreRecognised) {
  struct Case {
    const char* text;
    bool is_ambiguous;
  };
  const Case cases[] = {{"", true},
                        {"yes", true},
                        {"No", true},
                        {"on", true},
                        {"y", true},
                        {"true", true},
                        {"null", true},
                        {"~", true},
                        {"5432", true},
                        {"0755", true},
                        {"1:20", true},
                        {"1e3", true},
                        {"0x1F", true},
                        {"-1", true},
                        {".5", true},
                        {"2025-01-31", true},
                        {".inf", true},
                        {"500m", false},
                        {"1Gi", false},
                        {"yes-please", false},
                        {"v1", false},
                        {"acme", false},
                        {"-", false},
                        {"10.0.0.0/8", false},
                        {"*/5 * * * *", false},
                        {"360d", false},
                        {"0b101", true}};
  for (const auto& c : cases) EXPECT_EQ(is_ambiguous_scalar(c.text), c.is_ambiguous) << c.text;
}

TEST(Document, EmitsInInsertionOrderAndQuotesWhatYamlWouldRetype) {
  Json object = Json::object();
  object["kind"] = "ConfigMap";
  object["apiVersion"] = "v1";
  object["data"] = {{"port", "5432"}, {"flag", "yes"}, {"empty", ""}, {"count", 3}};
  object["list"] = Json::array();
  EXPECT_EQ(to_yaml(object),
            "kind: ConfigMap\napiVersion: v1\ndata:\n  port: \"5432\"\n  flag: \"yes\"\n"
            "  empty: \"\"\n  count: 3\nlist: []\n");
}

TEST(Document, RoundTripsMultiLineTextAndStreams) {
  const std::vector<Json> objects = {
      {{"a", "line one\n  indented\nlast\n"}, {"b", "no newline\nat end"}},
      {{"c", Json::array({"x", 1, true})}}};
  const std::string text = to_yaml_stream(objects);
  EXPECT_NE(text.find("a: |\n"), std::string::npos);
  EXPECT_NE(text.find("\n---\n"), std::string::npos);
  auto parsed = parse_yaml_stream(text);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().to_string();
  ASSERT_EQ(parsed->size(), 2U);
  EXPECT_EQ((*parsed)[0]["a"], "line one\n  indented\nlast\n");
  EXPECT_EQ((*parsed)[0]["b"], "no newline\nat end");
  EXPECT_EQ((*parsed)[1]["c"], Json::array({"x", "1", "true"}));  // scalars read as text
}

TEST(Document, QuotedStyleNeverUsesLiteralBlocks) {
  const Json object = {{"a", "x\ny\n"}};
  EXPECT_EQ(to_yaml(object), "a: |\n  x\n  y\n");
  EXPECT_EQ(to_yaml(object, TextStyle::kQuoted), "a: \"x\\ny\\n\"\n");
}

TEST(Document, ReportsWhereYamlIsBroken) {
  auto parsed = parse_yaml_stream("a: [1, 2\nb: 3\n");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().code(), core::ErrorCode::kInvalidArgument);
  EXPECT_NE(parsed.error().message().find("not valid YAML at"), std::string::npos);
}

}  // namespace
}  // namespace ballast::runtime::kubernetes
