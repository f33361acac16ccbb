#include "monitor/dashboard.h"

#include <string>
#include <utility>
#include <vector>

#include "monitor/metrics.h"

namespace ballast::monitor {
namespace {

using Json = nlohmann::json;

constexpr int kGridWidth = 24;
constexpr int kPanelWidth = 12;
constexpr int kPanelHeight = 8;

const Json& datasource() {
  static const Json ds = {{"type", "prometheus"}, {"uid", "${datasource}"}};
  return ds;
}

std::string name_of(const MetricDef& def) { return std::string(def.name); }

// `metric{tenant=~"$tenant"}`, the selection every per-tenant panel starts from.
std::string for_tenants(const MetricDef& def, const std::string& extra = "") {
  return name_of(def) + "{tenant=~\"$tenant\"" + (extra.empty() ? "" : "," + extra) + "}";
}

struct Query {
  std::string expr;
  std::string legend;
};

struct Panel {
  std::string title;
  std::string description;
  std::string unit;
  std::vector<Query> queries;
  std::string type = "timeseries";
};

Json panel_json(const Panel& p, int id) {
  Json targets = Json::array();
  char ref = 'A';
  for (const auto& q : p.queries) {
    targets.push_back({{"datasource", datasource()},
                       {"expr", q.expr},
                       {"legendFormat", q.legend},
                       {"refId", std::string(1, ref)}});
    ++ref;
  }
  const int index = id - 1;
  return {{"id", id},
          {"type", p.type},
          {"title", p.title},
          {"description", p.description},
          {"datasource", datasource()},
          {"gridPos",
           {{"x", (index % 2) * kPanelWidth},
            {"y", (index / 2) * kPanelHeight},
            {"w", kPanelWidth},
            {"h", kPanelHeight}}},
          {"fieldConfig", {{"defaults", {{"unit", p.unit}}}, {"overrides", Json::array()}}},
          {"options", Json::object()},
          {"targets", targets}};
}

std::vector<Panel> continuity_panels() {
  using namespace metric;  // NOLINT(google-build-using-namespace): the panel table below
  return {
      {"RPO now vs target",
       "Data that could be lost now, against the tenant's RPO per business process",
       "s",
       {{for_tenants(kRpo), "{{tenant}} now"},
        {for_tenants(kRpoTarget), "{{tenant}} target ({{process}})"}}},
      {"Drill RTO vs target",
       "Recovery time the last restore drill measured, against the RTO per process",
       "s",
       {{for_tenants(kDrillRto), "{{tenant}} drill"},
        {for_tenants(kRtoTarget), "{{tenant}} target ({{process}})"}}},
      {"Drill success",
       "1 when the last restore drill passed",
       "bool",
       {{for_tenants(kDrillSuccess), "{{tenant}}"}},
       "stat"},
      {"Backup age",
       "Age of the newest backup: tenant backups and each cluster's full, diff and incr",
       "s",
       {{for_tenants(kBackupAge, "kind=\"tenant\""), "{{tenant}}"},
        {name_of(kBackupAge) + "{kind=~\"full|diff|incr\"}", "{{cluster}} {{kind}}"}}},
      {"Archive lag",
       "Seconds since each cluster archived a WAL segment",
       "s",
       {{name_of(kArchiveLag), "{{cluster}}"}}},
  };
}

std::vector<Panel> service_panels() {
  using namespace metric;  // NOLINT(google-build-using-namespace): the panel table below
  return {
      {"Journey success",
       "1 when the last run of each synthetic journey (login, timesheet, invoice, report) passed",
       "bool",
       {{for_tenants(kJourneySuccess), "{{tenant}} {{journey}}"}}},
      {"Journey step latency",
       "Latency of each step of the last run of each journey",
       "s",
       {{for_tenants(kJourneyDuration), "{{tenant}} {{journey}}/{{step}}"}}},
      {"Readiness",
       "Billing-cycle readiness per tenant; shaded while the tenant is in a freeze",
       "none",
       {{for_tenants(kReadiness) + " == 1", "{{tenant}} {{status}}"},
        {for_tenants(kInFreeze), "{{tenant}} in freeze"}}},
      {"Disk headroom",
       "Free share of the state directory's file system (alerts below 10% and 5%)",
       "percentunit",
       {{name_of(kDiskFreeRatio), "free"}}},
      {"Component up",
       "1 when each supervised component runs",
       "bool",
       {{name_of(kComponentUp), "{{kind}} {{component}}"}},
       "stat"},
  };
}

Json templating() {
  Json ds = {{"name", "datasource"},
             {"label", "Prometheus"},
             {"type", "datasource"},
             {"query", "prometheus"},
             {"hide", 0},
             {"current", Json::object()}};
  const std::string tenants = "label_values(" + name_of(metric::kRpo) + ", tenant)";
  Json tenant = {{"name", "tenant"},
                 {"label", "Tenant"},
                 {"type", "query"},
                 {"datasource", datasource()},
                 {"query", {{"query", tenants}, {"refId", "tenants"}}},
                 {"definition", tenants},
                 {"refresh", 2},
                 {"multi", true},
                 {"includeAll", true},
                 {"sort", 1},
                 {"current", Json::object()}};
  return {{"list", Json::array({ds, tenant})}};
}

}  // namespace

nlohmann::json render_dashboard(const spec::Spec& spec) {
  Json panels = Json::array();
  int id = 1;
  for (const auto& p : continuity_panels()) panels.push_back(panel_json(p, id++));
  for (const auto& p : service_panels()) panels.push_back(panel_json(p, id++));
  const std::string name = spec.platform.name.empty() ? "Ballast" : "Ballast " + spec.platform.name;
  static_assert(kGridWidth == 2 * kPanelWidth, "two panels per row");
  return {{"title", name},
          {"uid", "ballast-overview"},
          {"tags", Json::array({"ballast"})},
          {"schemaVersion", 39},
          {"version", 1},
          {"editable", true},
          {"timezone", "browser"},
          {"refresh", "1m"},
          {"time", {{"from", "now-24h"}, {"to", "now"}}},
          {"templating", templating()},
          {"annotations", {{"list", Json::array()}}},
          {"panels", panels}};
}

}  // namespace ballast::monitor
