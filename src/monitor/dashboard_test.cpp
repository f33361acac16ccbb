#include "monitor/dashboard.h"

#include <regex>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "monitor/metrics.h"

namespace ballast::monitor {
namespace {

TEST(DashboardTest, IsAGrafanaDashboardWithTenantAndDatasourceVariables) {
  spec::Spec s;
  s.platform.name = "northwind";
  const auto dashboard = nlohmann::json::parse(render_dashboard(s).dump());
  EXPECT_EQ(dashboard.at("schemaVersion"), 39);
  EXPECT_EQ(dashboard.at("title"), "Ballast northwind");
  const auto& vars = dashboard.at("templating").at("list");
  ASSERT_EQ(vars.size(), 2U);
  EXPECT_EQ(vars[0].at("type"), "datasource");
  EXPECT_EQ(vars[0].at("query"), "prometheus");
  EXPECT_EQ(vars[1].at("name"), "tenant");
  EXPECT_EQ(vars[1].at("definition"), "label_values(ballast_rpo_seconds, tenant)");
  std::set<std::string> titles;
  std::set<int> ids;
  for (const auto& panel : dashboard.at("panels")) {
    titles.insert(panel.at("title").get<std::string>());
    EXPECT_TRUE(ids.insert(panel.at("id").get<int>()).second);
    EXPECT_FALSE(panel.at("targets").empty()) << panel.at("title");
  }
  for (const char* title : {"RPO now vs target", "Drill RTO vs target", "Drill success",
                            "Journey success", "Journey step latency", "Backup age", "Archive lag",
                            "Readiness", "Disk headroom", "Component up"}) {
    EXPECT_EQ(titles.count(title), 1U) << title;
  }
}

TEST(DashboardTest, QueriesOnlyDeclaredMetrics) {
  std::set<std::string> declared;
  for (const auto& def : all_metrics()) declared.insert(std::string(def.name));
  const auto dashboard = render_dashboard(spec::Spec{});
  const std::regex metric_name("ballast_[a-z_]+");
  int seen = 0;
  for (const auto& panel : dashboard.at("panels")) {
    for (const auto& target : panel.at("targets")) {
      const auto expr = target.at("expr").get<std::string>();
      for (std::sregex_iterator it(expr.begin(), expr.end(), metric_name), end; it != end; ++it) {
        EXPECT_EQ(declared.count(it->str()), 1U) << it->str() << " in " << expr;
        ++seen;
      }
    }
  }
  EXPECT_GE(seen, 10);
}

}  // namespace
}  // namespace ballast::monitor
