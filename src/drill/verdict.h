// A restore drill's verdict: what was measured (RTO, RPO, integrity, data, journeys on the
// copy) judged against the tenant's targets per business process, with every reason for a
// failure spelled out for the operator and the auditor.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "spec/model.h"

namespace ballast::drill {

// Each business process and the journey that proves it works on the copy.
struct Process {
  std::string_view name;     // timesheets, billing, reporting
  std::string_view journey;  // timesheet, invoice, report
};
inline constexpr Process kProcesses[] = {
    {"timesheets", "timesheet"}, {"billing", "invoice"}, {"reporting", "report"}};

const spec::Target& target_of(const spec::Continuity& continuity, std::string_view process);

struct Measured {
  double rto_seconds = -1;  // start → verified data served on the copy; -1: never served
  double rpo_seconds = -1;  // target time − newest transaction present; -1: nothing restored
  std::vector<std::string> problems;        // integrity, data checks, files, errors
  std::map<std::string, bool> journeys;     // journey → passed on the copy
  std::map<std::string, std::string> whys;  // journey → why it failed
};

// {"passed", "reasons": [...], "processes": [{process, rto_target_seconds, rpo_target_seconds,
//  rto_ok, rpo_ok, journey, journey_ok, passed}]}
nlohmann::json judge(const spec::Continuity& continuity, const Measured& measured);

// Differences between the data checks recorded at the target and those of the copy; tables in
// `unsettled` changed while the drill recorded them and are not compared.
std::vector<std::string> compare_checks(const nlohmann::json& expected, const nlohmann::json& copy,
                                        const std::set<std::string>& unsettled);

// "1 h 5 min", "42 s", "1.2 s".
std::string format_seconds(double seconds);

}  // namespace ballast::drill
