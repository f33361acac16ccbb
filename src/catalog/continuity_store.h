// ContinuityStore: the evidence of continuity — restore drills (RTO/RPO measured, pass/fail
// with reasons) and synthetic journey runs — kept for reports, metrics and readiness.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/sqlite.h"
#include "core/clock.h"

namespace ballast::catalog {

struct DrillRecord {
  std::string id;
  std::string tenant;
  core::SystemTime started_at{};
  std::optional<core::SystemTime> finished_at;
  std::string state = "running";                     // running, passed, failed
  nlohmann::json detail = nlohmann::json::object();  // target, RTO, RPO, checks, journeys, reasons
};

struct JourneyRun {
  std::string tenant;
  core::SystemTime at{};
  std::string place = "production";  // production (through the proxy) or drill (on a copy)
  std::string journey;
  bool ok = false;
  nlohmann::json detail = nlohmann::json::object();  // steps with latency and errors
};

class ContinuityStore final {
 public:
  explicit ContinuityStore(Database& db) : db_(db) {}

  core::Status save_drill(const DrillRecord& drill);  // insert or update by id
  // Newest first; all tenants when `tenant` is empty.
  core::Result<std::vector<DrillRecord>> drills(const std::string& tenant, int limit = 100);
  // Drills a daemon left "running" (it died mid-drill).
  core::Result<std::vector<DrillRecord>> unfinished_drills();

  core::Status record_journey(const JourneyRun& run);
  // The newest run of each journey of the tenant in `place`.
  core::Result<std::vector<JourneyRun>> latest_journeys(const std::string& tenant,
                                                        const std::string& place = "production");
  // How many runs of `journey` in a row, newest first, failed.
  core::Result<int> consecutive_failures(const std::string& tenant, const std::string& journey);

 private:
  Database& db_;
};

}  // namespace ballast::catalog
