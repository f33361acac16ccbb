// Synthetic business journeys: what a services firm's staff do in Odoo every day, done by a
// dedicated synthetic user through the same door as them, each step timed.
//   login     — authenticate, open the web client;
//   timesheet — log time on the synthetic project, read it back, remove it;
//   invoice   — a draft customer invoice created and read back (posted only on a copy:
//               posting in production would consume a legal invoice number), then removed;
//   report    — that invoice rendered as PDF through /report/pdf/.
// Everything created is named with kTag and removed, also leftovers of an interrupted run.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "components/odoo/rpc.h"
#include "core/result.h"
#include "core/secret.h"

namespace ballast::monitor {

inline constexpr std::string_view kTag = "[ballast-synthetic]";
inline constexpr std::string_view kSyntheticLogin = "ballast-synthetic";
inline constexpr std::string_view kJourneys[] = {"login", "timesheet", "invoice", "report"};

struct StepResult {
  std::string step;
  bool ok = false;
  double seconds = 0;
  std::string error;  // why it failed
};

struct JourneyResult {
  std::string journey;
  bool ok = false;
  std::vector<StepResult> steps;
  [[nodiscard]] double seconds() const;
  [[nodiscard]] std::string error() const;  // the first failed step's, "" when it passed
};

struct JourneyTarget {
  components::odoo::Endpoint endpoint;
  std::string database;
  std::string login{kSyntheticLogin};
  core::Secret password;
  // A throwaway copy (a drill): the invoice is posted, and nothing needs cleaning.
  bool copy = false;
};

// The four journeys in order; a journey whose prerequisite failed (login) is reported failed
// with that reason rather than skipped silently.
std::vector<JourneyResult> run_journeys(const JourneyTarget& target);

// As the administrator: the synthetic user (an internal user, no administrator rights, its
// password set to `password`), its employee, the synthetic customer and project — created when
// missing, so it is safe to repeat. Modules not installed are skipped.
core::Status ensure_synthetic_user(const components::odoo::Endpoint& endpoint,
                                   const std::string& database, const core::Secret& admin_password,
                                   const core::Secret& password);

nlohmann::json to_json(const JourneyResult& journey);

}  // namespace ballast::monitor
