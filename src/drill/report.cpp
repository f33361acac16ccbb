#include "drill/report.h"

#include <algorithm>

#include <fmt/format.h>

#include "drill/verdict.h"

namespace ballast::drill {
namespace {

std::string escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

double number(const nlohmann::json& detail, const char* key) {
  const auto it = detail.find(key);
  return it != detail.end() && it->is_number() ? it->get<double>() : -1;
}

// One chart: a measured series (oldest left) against a target line; a failed drill's point red.
std::string chart(const std::string& title, const std::vector<catalog::DrillRecord>& oldest_first,
                  const char* key, double target) {
  constexpr double kWidth = 640;
  constexpr double kHeight = 200;
  constexpr double kLeft = 96;  // room for "30 min 0 s" on the axis
  constexpr double kBottom = 30;
  double top = target;
  for (const auto& d : oldest_first) top = std::max(top, number(d.detail, key));
  if (top <= 0) top = 1;
  top *= 1.15;
  auto y = [&](double v) { return kHeight - kBottom - (v / top) * (kHeight - kBottom - 10); };
  const auto n = oldest_first.size();
  auto x = [&](std::size_t i) {
    return n <= 1 ? kLeft + (kWidth - kLeft) / 2
                  : kLeft + 10 +
                        static_cast<double>(i) * (kWidth - kLeft - 20) / static_cast<double>(n - 1);
  };
  std::string svg = fmt::format(
      "<figure><figcaption>{}</figcaption><svg role=\"img\" aria-label=\"{}\" "
      "viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\">"
      "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"axis\"/>"
      "<text x=\"{}\" y=\"{}\" class=\"tick\">0</text>"
      "<text x=\"{}\" y=\"{}\" class=\"tick\">{}</text>",
      escape(title), escape(title), kWidth, kHeight, kWidth, kHeight, kLeft, y(0), kWidth, y(0),
      kLeft - 8, y(0) + 4, kLeft - 8, y(top / 1.15) + 4, escape(format_seconds(top / 1.15)));
  if (target > 0) {
    svg += fmt::format(
        "<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" class=\"target\"/>"
        "<text x=\"{}\" y=\"{:.1f}\" class=\"target-label\">target {}</text>",
        kLeft, y(target), kWidth, y(target), kWidth - 4, y(target) - 4,
        escape(format_seconds(target)));
  }
  std::string path;
  for (std::size_t i = 0; i < n; ++i) {
    const double v = number(oldest_first[i].detail, key);
    if (v < 0) continue;
    path += fmt::format("{}{:.1f},{:.1f} ", path.empty() ? "M" : "L", x(i), y(v));
  }
  if (!path.empty()) svg += fmt::format("<path d=\"{}\" class=\"series\"/>", path);
  for (std::size_t i = 0; i < n; ++i) {
    const double v = number(oldest_first[i].detail, key);
    if (v < 0) continue;
    const bool ok = oldest_first[i].state == "passed";
    svg += fmt::format(
        "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\" class=\"{}\"><title>{}: {}</title></circle>",
        x(i), y(v), ok ? "pass" : "fail", escape(core::format_rfc3339(oldest_first[i].started_at)),
        escape(format_seconds(v)));
  }
  if (n > 0) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"tick start\">{}</text>", kLeft, kHeight - 8,
                       escape(core::format_rfc3339(oldest_first.front().started_at).substr(0, 10)));
    svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"tick end\">{}</text>", kWidth, kHeight - 8,
                       escape(core::format_rfc3339(oldest_first.back().started_at).substr(0, 10)));
  }
  return svg + "</svg></figure>";
}

}  // namespace

nlohmann::json report_json(const ReportInput& in) {
  nlohmann::json targets = nlohmann::json::object();
  for (const auto& p : kProcesses) {
    const auto& t = target_of(in.continuity, p.name);
    targets[std::string(p.name)] = {{"rpo_seconds", t.rpo.count()}, {"rto_seconds", t.rto.count()}};
  }
  nlohmann::json drills = nlohmann::json::array();
  std::size_t passed = 0;
  for (const auto& d : in.drills) {
    nlohmann::json one = d.detail;
    one["id"] = d.id;
    one["state"] = d.state;
    one["started_at"] = core::format_rfc3339(d.started_at);
    if (d.finished_at) one["finished_at"] = core::format_rfc3339(*d.finished_at);
    drills.push_back(one);
    if (d.state == "passed") ++passed;
  }
  return {{"platform", in.platform}, {"tenant", in.tenant},     {"generated_at", in.generated_at},
          {"targets", targets},      {"drills", drills.size()}, {"passed", passed},
          {"history", drills}};
}

ReportInput report_input_from_json(const nlohmann::json& j) {
  ReportInput in;
  in.platform = j.value("platform", "");
  in.tenant = j.value("tenant", "");
  in.generated_at = j.value("generated_at", "");
  const auto targets = j.value("targets", nlohmann::json::object());
  auto target = [&](const char* process) {
    const auto t = targets.value(process, nlohmann::json::object());
    return spec::Target{spec::Duration(t.value("rpo_seconds", 0LL)),
                        spec::Duration(t.value("rto_seconds", 0LL))};
  };
  in.continuity.timesheets = target("timesheets");
  in.continuity.billing = target("billing");
  in.continuity.reporting = target("reporting");
  for (const auto& h : j.value("history", nlohmann::json::array())) {
    catalog::DrillRecord d;
    d.id = h.value("id", "");
    d.tenant = in.tenant;
    d.state = h.value("state", "");
    d.started_at = core::parse_rfc3339(h.value("started_at", "")).value_or(core::SystemTime{});
    if (h.contains("finished_at")) d.finished_at = core::parse_rfc3339(h.value("finished_at", ""));
    d.detail = h;
    in.drills.push_back(std::move(d));
  }
  return in;
}

std::string report_html(const ReportInput& in) {
  std::vector<catalog::DrillRecord> oldest_first(in.drills.rbegin(), in.drills.rend());
  const auto rto = static_cast<double>(in.continuity.tightest_rto().count());
  const auto rpo = static_cast<double>(in.continuity.tightest_rpo().count());
  std::size_t passed = 0;
  for (const auto& d : in.drills) passed += d.state == "passed" ? 1U : 0U;
  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>Restore drills: {0}</title><style>"
      "body{{font-family:system-ui,sans-serif;margin:2em auto;max-width:60em;color:#1b1f24}}"
      "h1{{font-size:1.5em}} table{{border-collapse:collapse;width:100%;font-size:.9em}}"
      "th,td{{border-bottom:1px solid #d0d7de;padding:.35em .5em;text-align:left;"
      "vertical-align:top}} .passed{{color:#1a7f37;font-weight:600}}"
      ".failed,.running{{color:#cf222e;font-weight:600}} figure{{margin:1em 0}}"
      "figcaption{{font-weight:600}} .axis{{stroke:#57606a}} .series{{fill:none;stroke:#0969da;"
      "stroke-width:2}} .target{{stroke:#cf222e;stroke-dasharray:6 4}} .target-label{{fill:#cf222e;"
      "font-size:11px;text-anchor:end}} .tick{{fill:#57606a;font-size:11px;text-anchor:end}}"
      ".tick.end{{text-anchor:end}} .tick.start{{text-anchor:start}} .pass{{fill:#1a7f37}} "
      ".fail{{fill:#cf222e}}"
      "dl{{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}} dt{{font-weight:600}}"
      "</style></head><body>\n<h1>Restore drills: {0}</h1>\n<dl><dt>Platform</dt><dd>{1}</dd>"
      "<dt>Generated</dt><dd>{2}</dd><dt>Drills</dt><dd>{3}, {4} passed</dd>",
      escape(in.tenant), escape(in.platform), escape(in.generated_at), in.drills.size(), passed);
  for (const auto& p : kProcesses) {
    const auto& t = target_of(in.continuity, p.name);
    html += fmt::format("<dt>Target: {}</dt><dd>RPO {}, RTO {}</dd>", p.name,
                        escape(format_seconds(static_cast<double>(t.rpo.count()))),
                        escape(format_seconds(static_cast<double>(t.rto.count()))));
  }
  html +=
      "</dl>\n<p>Each drill restores the tenant's database from the cluster's continuous "
      "archive into an isolated sandbox, checks its integrity (pg_amcheck) and its data, "
      "starts Odoo on the copy and runs the business journeys on it. RTO runs from the start "
      "of the drill to verified data served by Odoo on the copy; RPO is the time between the "
      "target and the newest transaction present in the copy.</p>\n";
  html += chart("Recovery time (RTO) per drill, against the tightest target", oldest_first,
                "rto_seconds", rto);
  html += chart("Data-loss window (RPO) per drill, against the tightest target", oldest_first,
                "rpo_seconds", rpo);
  html +=
      "\n<table><thead><tr><th>Started</th><th>Target</th><th>Verdict</th><th>RTO</th>"
      "<th>RPO</th><th>Reasons</th></tr></thead><tbody>\n";
  for (const auto& d : in.drills) {
    std::string reasons;
    if (d.detail.contains("reasons")) {
      for (const auto& r : d.detail["reasons"]) {
        reasons += "<div>" + escape(r.is_string() ? r.get<std::string>() : r.dump()) + "</div>";
      }
    }
    html += fmt::format(
        "<tr><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "</tr>\n",
        escape(core::format_rfc3339(d.started_at)), escape(d.detail.value("target", "")),
        escape(d.state), escape(d.state), escape(format_seconds(number(d.detail, "rto_seconds"))),
        escape(format_seconds(number(d.detail, "rpo_seconds"))), reasons);
  }
  html += "</tbody></table>\n</body></html>\n";
  return html;
}

}  // namespace ballast::drill
