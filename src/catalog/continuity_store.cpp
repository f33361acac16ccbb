#include "catalog/continuity_store.h"

namespace ballast::catalog {
namespace {

DrillRecord drill_of(const Statement& s) {
  DrillRecord d;
  d.id = s.text(0);
  d.tenant = s.text(1);
  d.started_at = core::parse_rfc3339(s.text(2)).value_or(core::SystemTime{});
  if (!s.is_null(3)) d.finished_at = core::parse_rfc3339(s.text(3));
  d.state = s.text(4);
  d.detail = nlohmann::json::parse(s.text(5), nullptr, false);
  if (d.detail.is_discarded()) d.detail = nlohmann::json::object();
  return d;
}

constexpr std::string_view kDrillColumns =
    "SELECT id, tenant, started_at, finished_at, state, detail FROM drills ";

}  // namespace

core::Status ContinuityStore::save_drill(const DrillRecord& d) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(
      auto s, db_.prepare("INSERT INTO drills (id, tenant, started_at, finished_at, state, detail) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO UPDATE SET "
                          "finished_at = ?4, state = ?5, detail = ?6"));
  s.bind(1, d.id).bind(2, d.tenant).bind(3, core::format_rfc3339_ms(d.started_at));
  if (d.finished_at) {
    s.bind(4, core::format_rfc3339_ms(*d.finished_at));
  } else {
    s.bind_null(4);
  }
  s.bind(5, d.state).bind(6, d.detail.dump());
  return s.run();
}

core::Result<std::vector<DrillRecord>> ContinuityStore::drills(const std::string& tenant,
                                                               int limit) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(
      auto s, db_.prepare(std::string(kDrillColumns) +
                          "WHERE ?1 = '' OR tenant = ?1 ORDER BY started_at DESC, id DESC "
                          "LIMIT ?2"));
  s.bind(1, tenant).bind(2, static_cast<std::int64_t>(limit));
  std::vector<DrillRecord> out;
  for (;;) {
    BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
    if (!row) break;
    out.push_back(drill_of(s));
  }
  return out;
}

core::Result<std::vector<DrillRecord>> ContinuityStore::unfinished_drills() {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(
      auto s, db_.prepare(std::string(kDrillColumns) + "WHERE state = 'running' ORDER BY id"));
  std::vector<DrillRecord> out;
  for (;;) {
    BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
    if (!row) break;
    out.push_back(drill_of(s));
  }
  return out;
}

core::Status ContinuityStore::record_journey(const JourneyRun& run) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(auto s, db_.prepare("INSERT INTO journey_runs (tenant, at, place, "
                                               "journey, ok, detail) VALUES (?, ?, ?, ?, ?, ?)"));
  s.bind(1, run.tenant)
      .bind(2, core::format_rfc3339_ms(run.at))
      .bind(3, run.place)
      .bind(4, run.journey)
      .bind(5, static_cast<std::int64_t>(run.ok ? 1 : 0))
      .bind(6, run.detail.dump());
  BALLAST_TRY(s.run());
  // Keep a year of five-minute runs per journey at most.
  BALLAST_ASSIGN_OR_RETURN(
      auto trim, db_.prepare("DELETE FROM journey_runs WHERE tenant = ?1 AND journey = ?2 AND "
                             "id <= (SELECT id FROM journey_runs WHERE tenant = ?1 AND "
                             "journey = ?2 ORDER BY id DESC LIMIT 1 OFFSET 100000)"));
  trim.bind(1, run.tenant).bind(2, run.journey);
  return trim.run();
}

core::Result<std::vector<JourneyRun>> ContinuityStore::latest_journeys(const std::string& tenant,
                                                                       const std::string& place) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(
      auto s, db_.prepare("SELECT tenant, at, place, journey, ok, detail FROM journey_runs "
                          "WHERE id IN (SELECT max(id) FROM journey_runs WHERE tenant = ?1 AND "
                          "place = ?2 GROUP BY journey) ORDER BY id"));
  s.bind(1, tenant).bind(2, place);
  std::vector<JourneyRun> out;
  for (;;) {
    BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
    if (!row) break;
    JourneyRun r;
    r.tenant = s.text(0);
    r.at = core::parse_rfc3339(s.text(1)).value_or(core::SystemTime{});
    r.place = s.text(2);
    r.journey = s.text(3);
    r.ok = s.integer(4) != 0;
    r.detail = nlohmann::json::parse(s.text(5), nullptr, false);
    if (r.detail.is_discarded()) r.detail = nlohmann::json::object();
    out.push_back(std::move(r));
  }
  return out;
}

core::Result<int> ContinuityStore::consecutive_failures(const std::string& tenant,
                                                        const std::string& journey) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(
      auto s, db_.prepare("SELECT ok FROM journey_runs WHERE tenant = ? AND journey = ? AND "
                          "place = 'production' ORDER BY id DESC LIMIT 1000"));
  s.bind(1, tenant).bind(2, journey);
  int failures = 0;
  for (;;) {
    BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
    if (!row || s.integer(0) != 0) break;
    ++failures;
  }
  return failures;
}

}  // namespace ballast::catalog
