#include "drill/verdict.h"

#include <gtest/gtest.h>

#include "drill/report.h"

namespace ballast::drill {
namespace {

spec::Continuity targets() {
  spec::Continuity c;
  c.timesheets = {spec::Duration(3600), spec::Duration(4 * 3600)};
  c.billing = {spec::Duration(900), spec::Duration(60)};
  c.reporting = {spec::Duration(86400), spec::Duration(86400)};
  return c;
}

Measured all_green(double rto, double rpo) {
  Measured m;
  m.rto_seconds = rto;
  m.rpo_seconds = rpo;
  for (const auto& p : kProcesses) m.journeys[std::string(p.journey)] = true;
  return m;
}

TEST(VerdictTest, PassesWhenEveryProcessMeetsItsTargets) {
  auto v = judge(targets(), all_green(42, 3));
  EXPECT_TRUE(v["passed"].get<bool>()) << v.dump(2);
  EXPECT_TRUE(v["reasons"].empty());
  EXPECT_EQ(v["processes"].size(), 3U);
}

TEST(VerdictTest, NamesTheProcessWhoseRtoTargetIsMissed) {
  auto v = judge(targets(), all_green(90, 3));
  EXPECT_FALSE(v["passed"].get<bool>());
  ASSERT_EQ(v["reasons"].size(), 1U) << v.dump(2);
  EXPECT_EQ(v["reasons"][0], "billing: RTO 90 s is over the target of 60 s");
  EXPECT_FALSE(v["processes"][1]["rto_ok"].get<bool>());
  EXPECT_TRUE(v["processes"][0]["passed"].get<bool>());
}

TEST(VerdictTest, AFailedJourneyOrProblemFailsTheDrill) {
  auto m = all_green(10, 1);
  m.journeys["report"] = false;
  m.whys["report"] = "render: the invoice PDF did not render";
  m.problems.push_back("pg_amcheck found corruption");
  auto v = judge(targets(), m);
  EXPECT_FALSE(v["passed"].get<bool>());
  EXPECT_EQ(v["reasons"][0], "pg_amcheck found corruption");
  EXPECT_EQ(v["reasons"][1],
            "reporting: the report journey failed on the copy: render: the invoice PDF did not "
            "render");
}

TEST(VerdictTest, NothingRestoredIsAFailureWithItsReason) {
  Measured m;
  m.problems.push_back("recovering pool/main failed: the archive has no WAL segment X");
  auto v = judge(targets(), m);
  EXPECT_FALSE(v["passed"].get<bool>());
  ASSERT_EQ(v["reasons"].size(), 1U) << v.dump(2);
}

TEST(VerdictTest, ComparesDataChecksExceptTablesThatMovedDuringTheDrill) {
  nlohmann::json want = {
      {"timesheets", {{"table", "account_analytic_line"}, {"rows", 3}, {"ids_md5", "a"}}},
      {"invoices", {{"table", "account_move"}, {"rows", 2}, {"ids_md5", "b"}}},
      {"partners", {{"table", "res_partner"}, {"rows", 5}, {"ids_md5", "c"}}}};
  nlohmann::json got = {{"timesheets", {{"rows", 3}, {"ids_md5", "x"}}},
                        {"invoices", {{"rows", 1}, {"ids_md5", "b"}}}};
  auto diff = compare_checks(want, got, {"partners"});
  ASSERT_EQ(diff.size(), 2U);
  EXPECT_EQ(diff[0], "invoices: 1 rows in the copy, 2 recorded at the target time");
  EXPECT_EQ(diff[1], "timesheets: the same number of rows (3) but not the same rows");
  EXPECT_EQ(compare_checks(want, got, {}).size(), 3U);
}

TEST(ReportTest, HtmlIsSelfContainedEscapedAndChartsBothMeasures) {
  ReportInput in{"northwind", "acme<script>", targets(), {}, "2026-11-22T10:00:00Z"};
  catalog::DrillRecord ok{"d2", "acme", core::from_unix_seconds(1'790'000'000)};
  ok.state = "passed";
  ok.detail = {{"rto_seconds", 30.5}, {"rpo_seconds", 2}, {"target", "latest"}};
  catalog::DrillRecord bad{"d1", "acme", core::from_unix_seconds(1'789'000'000)};
  bad.state = "failed";
  bad.detail = {{"rto_seconds", 75}, {"rpo_seconds", 2}, {"reasons", {"billing: RTO <75 s>"}}};
  in.drills = {ok, bad};
  const auto html = report_html(in);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("acme&lt;script&gt;"), std::string::npos);
  EXPECT_NE(html.find("billing: RTO &lt;75 s&gt;"), std::string::npos);
  EXPECT_NE(html.find("Recovery time (RTO)"), std::string::npos);
  EXPECT_NE(html.find("target 60 s"), std::string::npos);  // the tightest RTO target
  EXPECT_EQ(html.find("http"), std::string::npos);         // nothing fetched from elsewhere
  const auto json = report_json(in);
  EXPECT_EQ(json["drills"], 2);
  EXPECT_EQ(json["passed"], 1);
  EXPECT_EQ(json["targets"]["billing"]["rto_seconds"], 60);
}

}  // namespace
}  // namespace ballast::drill
