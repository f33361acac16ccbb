#include "spec/loader.h"

#include <cstdlib>

#include <gtest/gtest.h>

namespace ballast::spec {
namespace {

std::filesystem::path source_dir() {
  const char* dir = std::getenv("BALLAST_SOURCE_DIR");
  return dir != nullptr ? dir : ".";
}

core::Result<Spec> parse_text(const std::string& text) { return parse(text, "t.yaml"); }

constexpr const char* kBase = R"(platform:
  name: p
  ingress: {base_domain: example.test}
repositories:
  - {name: local, type: posix, path: b}
plans:
  - {name: small}
  - {name: large, workers: 4}
pools:
  - {name: main}
)";

TEST(Loader, LoadsBothExamples) {
  for (const char* name : {"minimal.yaml", "consulting-firm.yaml"}) {
    auto spec = load(source_dir() / "examples" / name);
    ASSERT_TRUE(spec.has_value()) << name << ": " << spec.error().message();
  }
  auto spec = load(source_dir() / "examples" / "consulting-firm.yaml").value();
  EXPECT_EQ(spec.tenants.size(), 6U);
  const Tenant* acme = spec.find_tenant("acme-consulting");
  ASSERT_NE(acme, nullptr);
  EXPECT_EQ(acme->continuity.billing.rpo, Duration(300));
  EXPECT_EQ(acme->environments.at(0).domains.at(0), "acme-consulting-staging.northwind.localhost");
  const Tenant* delta = spec.find_tenant("delta-design");
  ASSERT_NE(delta, nullptr);
  EXPECT_EQ(delta->domains.at(0), "delta-design.northwind.localhost");
  EXPECT_EQ(delta->continuity.reporting.rpo, Duration(86400));  // default
  EXPECT_EQ(spec.find_plan("starter")->request_rate.count, 20U);
  EXPECT_EQ(spec.find_pool("shared-eu")->backup.schedule.incremental, Duration(3600));
}

TEST(Loader, AppliesDefaults) {
  auto spec = parse_text(std::string(kBase) + "tenants:\n  - {name: a, pool: main, plan: small}\n");
  ASSERT_TRUE(spec.has_value()) << spec.error().message();
  EXPECT_EQ(spec->platform.api, (HostPort{"127.0.0.1", 7480}));
  EXPECT_EQ(spec->platform.ingress.http.port, 8080);
  EXPECT_EQ(spec->plans[0].memory.bytes, 2ULL << 30);
  EXPECT_EQ(spec->repositories[0].retention.daily, 7U);
  EXPECT_EQ(spec->pools[0].backup.repositories, std::vector<std::string>{"local"});
  EXPECT_EQ(spec->platform.odoo.version, OdooVersion::k18);
}

TEST(Loader, ReportsEveryProblemSortedWithPositions) {
  const std::string text = std::string(kBase) +
                           "tenants:\n"
                           "  - {name: a, pool: mian, plan: larg}\n"
                           "  - name: B\n"
                           "    pool: main\n"
                           "    plan: small\n"
                           "    continuity: {billing: {rpo: 5}}\n"
                           "    colour: blue\n";
  auto spec = parse_text(text);
  ASSERT_FALSE(spec.has_value());
  EXPECT_EQ(spec.error().code(), core::ErrorCode::kSpecInvalid);
  EXPECT_EQ(spec.error().message(),
            "t.yaml:12:21: tenants[0].pool: pool 'mian' is not defined; did you mean 'main'?\n"
            "t.yaml:12:33: tenants[0].plan: plan 'larg' is not defined; did you mean 'large'?\n"
            "t.yaml:13:11: tenants[1].name: 'B' is not a valid name: use 1–63 lowercase letters, "
            "digits and '-'\n"
            "t.yaml:16:33: tenants[1].continuity.billing.rpo: '5' is not a duration (for example "
            "'15m', '24h' or '7d')\n"
            "t.yaml:17:5: tenants[1].colour: unknown key 'colour' in tenant");
}

TEST(Loader, RefusesBadFilesClearly) {
  EXPECT_EQ(parse_text("").error().message(), "t.yaml: the spec is empty");
  EXPECT_EQ(parse_text("# only a comment\n").error().message(), "t.yaml: the spec is empty");
  EXPECT_EQ(parse_text(std::string("abc\0def", 7)).error().message(),
            "t.yaml: this is not a text file (binary data at byte 3)");
  EXPECT_EQ(parse_text("platform: [\n").error().code(), core::ErrorCode::kSpecInvalid);
  EXPECT_EQ(parse_text("- a\n- b\n").error().message(),
            "t.yaml: the top of the spec must be a mapping (platform:, tenants:, …)");
  std::string deep(5000, '[');
  EXPECT_EQ(parse_text("platform: " + deep).error().code(), core::ErrorCode::kSpecInvalid);
  EXPECT_EQ(load("/nonexistent/ballast.yaml").error().code(), core::ErrorCode::kNotFound);
}

}  // namespace
}  // namespace ballast::spec
