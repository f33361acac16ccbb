// Offline monitoring renders: the Prometheus alerting rules and the Grafana dashboard the spec
// implies, to stdout or a file (the same rules the Kubernetes tree's PrometheusRules carry).
#include <iostream>

#include <fmt/format.h>

#include "cli/context.h"
#include "core/file.h"
#include "monitor/alert_rules.h"
#include "monitor/dashboard.h"

namespace ballast::cli {
namespace {

struct MonitorArgs {
  std::string out_file;
};

nlohmann::json rules_json(const std::vector<monitor::RuleGroup>& groups) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& g : groups) {
    nlohmann::json rules = nlohmann::json::array();
    for (const auto& r : g.rules) {
      nlohmann::json labels = nlohmann::json::object();
      for (const auto& [key, value] : r.labels) labels[key] = value;
      rules.push_back({{"alert", r.alert},
                       {"expr", r.expr},
                       {"for", monitor::prometheus_duration(r.for_duration)},
                       {"labels", labels},
                       {"annotations", {{"summary", r.summary}, {"description", r.description}}}});
    }
    list.push_back({{"name", g.name}, {"rules", rules}});
  }
  return {{"groups", list}};
}

// Writes `content` to the -o file, or prints it when there is none (and text output is asked).
core::Result<int> deliver(const Context& ctx, const std::string& out_file,
                          const std::string& content, const nlohmann::json& json,
                          const std::string& written_text) {
  if (out_file.empty()) {
    if (ctx.mode() == OutputMode::kJson) return ctx.emit(json, "");
    std::cout << content;
    std::cout.flush();
    return core::kExitOk;
  }
  BALLAST_TRY(core::write_file_atomic(out_file, content));
  nlohmann::json report = json;
  report["file"] = out_file;
  return ctx.emit(report, written_text);
}

core::Result<int> render_alerts(const Context& ctx, const MonitorArgs& a) {
  BALLAST_ASSIGN_OR_RETURN(auto spec, ctx.load_spec());
  const auto groups = monitor::alert_rules(spec);
  std::size_t count = 0;
  for (const auto& g : groups) count += g.rules.size();
  return deliver(ctx, a.out_file, monitor::render_alert_rules_yaml(spec), rules_json(groups),
                 fmt::format("Wrote {} alerting rules in {} groups to {}.\nCheck them with: "
                             "promtool check rules {}",
                             count, groups.size(), a.out_file, a.out_file));
}

core::Result<int> render_dashboard(const Context& ctx, const MonitorArgs& a) {
  BALLAST_ASSIGN_OR_RETURN(auto spec, ctx.load_spec());
  const auto dashboard = monitor::render_dashboard(spec);
  return deliver(ctx, a.out_file, dashboard.dump(2) + "\n", dashboard,
                 fmt::format("Wrote the dashboard ({} panels) to {}.\nImport it in Grafana "
                             "(Dashboards > New > Import) or provision it from a file.",
                             dashboard.at("panels").size(), a.out_file));
}

}  // namespace

void add_monitor_render_commands(CLI::App& render_cmd, Context& ctx) {
  auto args = std::make_shared<MonitorArgs>();
  auto* alerts = add_command(
      render_cmd, "alerts",
      "Render Prometheus alerting rules from the spec: each tenant's RPO, drills, backups, "
      "journeys and readiness against its continuity targets, each pool's and stack's backup "
      "schedule and WAL archiving, and the platform's disk, certificates and components (see "
      "docs/monitoring.md). Prints the rules file unless -o is given; with --output json, the "
      "rules as JSON",
      "  ballast render alerts -f ballast.yaml -o /etc/prometheus/rules/ballast.yml\n"
      "  promtool check rules /etc/prometheus/rules/ballast.yml\n"
      "  ballast render alerts --output json | jq '.groups[].rules[].alert'\n");
  alerts->add_option("-o,--out", args->out_file, "File to write the rules to (default: stdout)");
  alerts->callback([&ctx, args] {
    ctx.run = [&ctx, args] { return ctx.guard([&] { return render_alerts(ctx, *args); }); };
  });
  auto* dashboard = add_command(
      render_cmd, "dashboard",
      "Render a Grafana dashboard (JSON, schemaVersion 39) of Ballast's metrics: RPO and drill "
      "RTO against targets, drill and journey success, journey step latency, backup age, "
      "archive lag, readiness, disk headroom and components, filtered by tenant",
      "  ballast render dashboard -f ballast.yaml -o dashboard.json\n"
      "  ballast render dashboard > /var/lib/grafana/dashboards/ballast.json\n");
  dashboard->add_option("-o,--out", args->out_file,
                        "File to write the dashboard to (default: stdout)");
  dashboard->callback([&ctx, args] {
    ctx.run = [&ctx, args] { return ctx.guard([&] { return render_dashboard(ctx, *args); }); };
  });
}

}  // namespace ballast::cli
