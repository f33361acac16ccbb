// `ballast drill …`, `ballast journey run` and `ballast readiness`: continuity evidence,
// through the daemon's API.
#include <fmt/format.h>

#include "cli/context.h"
#include "cli/progress.h"
#include "core/file.h"
#include "drill/report.h"
#include "drill/verdict.h"

namespace ballast::cli {
namespace {

struct ContinuityArgs {
  std::string tenant;
  std::string target = "latest";
  std::string out_file;
};

std::string seconds(const nlohmann::json& j, const char* key) {
  return drill::format_seconds(j.contains(key) && j[key].is_number() ? j[key].get<double>() : -1);
}

std::string drill_text(const nlohmann::json& d) {
  std::string out = fmt::format(
      "Drill {} of {}: {}\n  target {} ({}), recovered to {}\n  RTO {}   RPO {}   integrity {}\n",
      d.value("id", ""), d.value("tenant", ""), d.value("passed", false) ? "PASSED" : "FAILED",
      d.value("target", ""), d.value("target_time", "-"), d.value("recovery_point", "-"),
      seconds(d, "rto_seconds"), seconds(d, "rpo_seconds"), d.value("amcheck", "not checked"));
  for (const auto& p : d.value("processes", nlohmann::json::array())) {
    out += fmt::format("  {:<11} RTO target {:<10} RPO target {:<10} journey {:<9} {}\n",
                       p.value("process", ""), seconds(p, "rto_target_seconds"),
                       seconds(p, "rpo_target_seconds"), p.value("journey", ""),
                       p.value("passed", false) ? "ok" : "MISSED");
  }
  for (const auto& r : d.value("reasons", nlohmann::json::array())) {
    out += "  - " + r.get<std::string>() + "\n";
  }
  return out;
}

std::string journeys_text(const nlohmann::json& j) {
  std::string out =
      fmt::format("Journeys of {} through {}: {}\n", j.value("tenant", ""), j.value("through", ""),
                  j.value("ok", false) ? "all passed" : "FAILED");
  for (const auto& journey : j.value("journeys", nlohmann::json::array())) {
    std::string steps;
    for (const auto& s : journey.value("steps", nlohmann::json::array())) {
      steps += fmt::format("{}{} {:.0f} ms", steps.empty() ? "" : ", ", s.value("step", ""),
                           s.value("seconds", 0.0) * 1000);
    }
    out += fmt::format("  {:<10} {:<6} {}\n", journey.value("journey", ""),
                       journey.value("ok", false) ? "ok" : "FAILED", steps);
    if (!journey.value("ok", false)) out += "             " + journey.value("error", "") + "\n";
  }
  return out;
}

std::string readiness_line(const nlohmann::json& t) {
  std::string out = fmt::format("{:<26} {:<10}{}\n", t.value("tenant", ""), t.value("status", ""),
                                t.value("in_freeze", false) ? " (in a freeze)" : "");
  for (const auto& r : t.value("reasons", nlohmann::json::array())) {
    out += "    - " + r.get<std::string>() + "\n";
  }
  return out;
}

}  // namespace

void add_continuity_commands(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<ContinuityArgs>();
  auto* drill_cmd =
      add_command(app, "drill", "Restore drills: prove a tenant can be recovered, and how fast");
  drill_cmd->require_subcommand(1);
  auto* run = add_command(
      *drill_cmd, "run",
      "Recover a tenant from its cluster's archive into a sandbox (own directory and port, never "
      "routed, neutralized), check it (pg_amcheck, data, file store), serve it with Odoo and run "
      "the business journeys on it; prints RTO and RPO against the tenant's targets. Exit code 1 "
      "when the drill fails; the sandbox is always removed",
      "  ballast drill run acme\n  ballast drill run acme --target random\n"
      "  ballast drill run acme --target 2026-11-22T09:30:00Z --output json\n");
  run->add_option("tenant", args->tenant, "Tenant")->required();
  run->add_option("--target", args->target,
                  "latest (now), random (a second of the recovery window), or an RFC 3339 time");
  run->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return ctx.guard([&]() -> core::Result<int> {
        BALLAST_ASSIGN_OR_RETURN(auto spec, ctx.load_spec());
        BALLAST_ASSIGN_OR_RETURN(auto client, ctx.client(spec));
        client.set_timeout_seconds(24 * 3600);
        ProgressPrinter progress(ctx);
        auto answer = client.post_with_progress("/api/v1/tenants/" + args->tenant + "/drills",
                                                {{"target", args->target}},
                                                [&progress](const auto& p) { progress(p); });
        progress.end_line();
        if (!answer.has_value()) return std::move(answer).error();
        ctx.emit(*answer, drill_text(*answer));
        return answer->value("passed", false) ? 0 : 1;
      });
    };
  });
  auto* report = add_command(
      *drill_cmd, "report",
      "A tenant's drill history: RTO and RPO of every drill against the targets, verdicts and "
      "reasons; with -o, a self-contained HTML page with the charts, for an auditor",
      "  ballast drill report acme\n  ballast drill report acme -o acme-drills.html\n"
      "  ballast drill report acme --output json\n");
  report->add_option("tenant", args->tenant, "Tenant")->required();
  report->add_option("-o,--out", args->out_file, "Write the HTML report to this file");
  report->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return ctx.guard([&]() -> core::Result<int> {
        BALLAST_ASSIGN_OR_RETURN(auto spec, ctx.load_spec());
        BALLAST_ASSIGN_OR_RETURN(auto client, ctx.client(spec));
        BALLAST_ASSIGN_OR_RETURN(auto j, client.get("/api/v1/tenants/" + args->tenant + "/drills"));
        std::string text;
        if (!args->out_file.empty()) {
          const auto html = drill::report_html(drill::report_input_from_json(j));
          BALLAST_TRY(core::write_file_atomic(args->out_file, html, 0644));
          j["written"] = args->out_file;
          text = fmt::format("Wrote {} ({} drills, {} passed).", args->out_file,
                             j.value("drills", 0), j.value("passed", 0));
        } else {
          text = fmt::format("Drills of {}: {} run, {} passed\n", j.value("tenant", ""),
                             j.value("drills", 0), j.value("passed", 0));
          for (const auto& d : j.value("history", nlohmann::json::array())) {
            text +=
                fmt::format("  {}  {:<7} target {:<8} RTO {:<10} RPO {:<10} {}\n",
                            d.value("started_at", ""), d.value("state", ""), d.value("target", ""),
                            seconds(d, "rto_seconds"), seconds(d, "rpo_seconds"),
                            d.value("reasons", nlohmann::json::array()).empty()
                                ? ""
                                : d["reasons"][0].get<std::string>());
          }
        }
        return ctx.emit(j, text);
      });
    };
  });

  auto* journey = add_command(app, "journey", "Synthetic business journeys");
  journey->require_subcommand(1);
  auto* journey_run = add_command(
      *journey, "run",
      "Run the journeys now through the proxy as the tenant's synthetic user: login, timesheet, "
      "draft invoice (never posted in production), PDF report; exit code 1 when one fails",
      "  ballast journey run acme\n");
  journey_run->add_option("tenant", args->tenant, "Tenant")->required();
  journey_run->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return ctx.guard([&]() -> core::Result<int> {
        BALLAST_ASSIGN_OR_RETURN(auto spec, ctx.load_spec());
        BALLAST_ASSIGN_OR_RETURN(auto client, ctx.client(spec));
        BALLAST_ASSIGN_OR_RETURN(auto j,
                                 client.post("/api/v1/tenants/" + args->tenant + "/journeys", {}));
        ctx.emit(j, journeys_text(j));
        return j.value("ok", false) ? 0 : 1;
      });
    };
  });

  auto* ready = add_command(
      app, "readiness",
      "Billing-cycle readiness per tenant — ready, at_risk or not_ready — with the reasons "
      "(backups within RPO, last drill within RTO, journeys green, disk headroom)",
      "  ballast readiness\n  ballast readiness acme --output json\n");
  ready->add_option("tenant", args->tenant, "One tenant (default: all)");
  ready->callback([&ctx, args] {
    ctx.run = [&ctx, args] {
      return ctx.guard([&]() -> core::Result<int> {
        BALLAST_ASSIGN_OR_RETURN(auto spec, ctx.load_spec());
        BALLAST_ASSIGN_OR_RETURN(auto client, ctx.client(spec));
        if (!args->tenant.empty()) {
          BALLAST_ASSIGN_OR_RETURN(auto j,
                                   client.get("/api/v1/tenants/" + args->tenant + "/readiness"));
          return ctx.emit(j, readiness_line(j));
        }
        BALLAST_ASSIGN_OR_RETURN(auto j, client.get("/api/v1/readiness"));
        std::string text;
        for (const auto& t : j["tenants"]) text += readiness_line(t);
        return ctx.emit(j, text.empty() ? "No production tenants." : text);
      });
    };
  });
}

}  // namespace ballast::cli
