#include "drill/verdict.h"

#include <cmath>

#include <fmt/format.h>

namespace ballast::drill {

const spec::Target& target_of(const spec::Continuity& c, std::string_view process) {
  if (process == "billing") return c.billing;
  if (process == "reporting") return c.reporting;
  return c.timesheets;
}

std::string format_seconds(double s) {
  if (s < 0) return "n/a";
  if (s < 10) return fmt::format("{:.1f} s", s);
  const auto total = static_cast<long long>(std::llround(s));
  if (total < 120) return fmt::format("{} s", total);
  if (total < 7200) return fmt::format("{} min {} s", total / 60, total % 60);
  return fmt::format("{} h {} min", total / 3600, (total % 3600) / 60);
}

nlohmann::json judge(const spec::Continuity& continuity, const Measured& m) {
  nlohmann::json reasons = nlohmann::json::array();
  for (const auto& p : m.problems) reasons.push_back(p);
  nlohmann::json processes = nlohmann::json::array();
  bool passed = m.problems.empty();
  for (const auto& p : kProcesses) {
    const auto& t = target_of(continuity, p.name);
    const auto rto_target = static_cast<double>(t.rto.count());
    const auto rpo_target = static_cast<double>(t.rpo.count());
    const bool rto_ok = m.rto_seconds >= 0 && (rto_target <= 0 || m.rto_seconds <= rto_target);
    const bool rpo_ok = m.rpo_seconds >= 0 && (rpo_target <= 0 || m.rpo_seconds <= rpo_target);
    const auto journey = m.journeys.find(std::string(p.journey));
    const bool journey_ok = journey != m.journeys.end() && journey->second;
    if (!rto_ok && m.rto_seconds >= 0) {
      reasons.push_back(fmt::format("{}: RTO {} is over the target of {}", p.name,
                                    format_seconds(m.rto_seconds), format_seconds(rto_target)));
    }
    if (!rpo_ok && m.rpo_seconds >= 0) {
      reasons.push_back(fmt::format("{}: RPO {} is over the target of {}", p.name,
                                    format_seconds(m.rpo_seconds), format_seconds(rpo_target)));
    }
    if (!journey_ok && m.rto_seconds >= 0) {
      const auto why = m.whys.find(std::string(p.journey));
      reasons.push_back(fmt::format("{}: the {} journey failed on the copy{}", p.name, p.journey,
                                    why == m.whys.end() ? "" : ": " + why->second));
    }
    const bool ok = rto_ok && rpo_ok && journey_ok;
    passed = passed && ok;
    processes.push_back({{"process", p.name},
                         {"rto_target_seconds", rto_target},
                         {"rpo_target_seconds", rpo_target},
                         {"rto_ok", rto_ok},
                         {"rpo_ok", rpo_ok},
                         {"journey", p.journey},
                         {"journey_ok", journey_ok},
                         {"passed", ok}});
  }
  if (m.rto_seconds < 0 && m.problems.empty()) {
    reasons.push_back("the copy was never served: no RTO was measured");
    passed = false;
  }
  return {{"passed", passed}, {"reasons", reasons}, {"processes", processes}};
}

std::vector<std::string> compare_checks(const nlohmann::json& expected, const nlohmann::json& copy,
                                        const std::set<std::string>& unsettled) {
  std::vector<std::string> out;
  for (const auto& [label, want] : expected.items()) {
    if (unsettled.count(label) != 0U) continue;
    if (!copy.contains(label)) {
      out.push_back(
          fmt::format("{}: table {} is missing from the copy", label, want.value("table", label)));
      continue;
    }
    const auto& got = copy[label];
    const auto want_rows = want.value("rows", -1LL);
    const auto got_rows = got.value("rows", -1LL);
    if (want_rows != got_rows) {
      out.push_back(fmt::format("{}: {} rows in the copy, {} recorded at the target time", label,
                                got_rows, want_rows));
    } else if (want.value("ids_md5", "") != got.value("ids_md5", "")) {
      out.push_back(
          fmt::format("{}: the same number of rows ({}) but not the same rows", label, got_rows));
    }
  }
  return out;
}

}  // namespace ballast::drill
