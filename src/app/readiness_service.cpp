// Platform: billing-cycle readiness per tenant and the Prometheus exposition of what Ballast
// watches. Both read the same observations (observe_tenant), so a status and a metric never
// disagree.
#include <cstdio>

#include <fmt/format.h>
#include <sys/statvfs.h>

#include "app/platform.h"
#include "drill/verdict.h"
#include "monitor/metrics.h"

namespace ballast::app {

using runtime::local::HostRef;
using runtime::local::LocalRuntime;

namespace {

double seconds_between(core::SystemTime from, core::SystemTime to) {
  return std::chrono::duration<double>(to - from).count();
}

// "000000010000000000000003" → the name of the segment after it (16 MiB segments).
std::string next_segment(const std::string& name) {
  if (name.size() != 24) return "";
  unsigned timeline = 0;
  unsigned log = 0;
  unsigned seg = 0;
  if (std::sscanf(name.c_str(), "%8X%8X%8X", &timeline, &log, &seg) != 3) return "";
  if (++seg > 0xFFU) {
    seg = 0;
    ++log;
  }
  return fmt::format("{:08X}{:08X}{:08X}", timeline, log, seg);
}

struct DiskRoom {
  double free_bytes = -1;
  double free_ratio = -1;
};

DiskRoom disk_room(const std::filesystem::path& dir) {
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0 || st.f_blocks == 0) return {};
  const auto free = static_cast<double>(st.f_bavail) * static_cast<double>(st.f_frsize);
  return {free, static_cast<double>(st.f_bavail) / static_cast<double>(st.f_blocks)};
}

// Whether `now` (UTC) falls in one of the calendar's freezes.
bool in_freeze(const spec::Calendar& calendar, core::SystemTime now) {
  const auto today = std::chrono::floor<std::chrono::days>(now);
  const std::chrono::year_month_day ymd{today};
  const int day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  const int last = static_cast<int>(static_cast<unsigned>(
      std::chrono::year_month_day_last{ymd.year() / ymd.month() / std::chrono::last}.day()));
  const std::string iso = core::format_rfc3339(now).substr(0, 10);
  for (const auto& f : calendar.freezes) {
    if (f.monthly) {
      auto resolve = [&](int d) { return d < 0 ? last + 1 + d : d; };
      const int from = resolve(f.monthly->from_day);
      const int to = resolve(f.monthly->to_day);
      if (from <= to ? (day >= from && day <= to) : (day >= from || day <= to)) return true;
    }
    if (f.dates && iso >= f.dates->from && iso <= f.dates->to) return true;
  }
  return false;
}

}  // namespace

core::Result<Platform::ClusterArchive> Platform::cluster_archive(const HostRef& host) {
  ClusterArchive out;
  BALLAST_ASSIGN_OR_RETURN(auto admin, runtime_->postgres_admin(host));
  BALLAST_ASSIGN_OR_RETURN(
      auto rows,
      admin.query("SELECT coalesce(extract(epoch FROM now() - last_archived_time)::text, ''), "
                  "coalesce(last_archived_wal, ''), pg_walfile_name(pg_current_wal_lsn()), "
                  "(pg_walfile_name_offset(pg_current_wal_lsn())).file_offset, "
                  "(SELECT count(*) FROM pg_stat_activity), current_setting('max_connections') "
                  "FROM pg_stat_archiver"));
  out.connections = std::stod(rows.at(0, 4));
  out.max_connections = std::stod(rows.at(0, 5));
  if (rows.at(0, 0).empty()) return out;  // never archived
  out.lag_seconds = std::stod(rows.at(0, 0));
  // Nothing written since the last archived segment (the next one holds at most its page
  // header): nothing could be lost now, however long ago that was.
  const bool idle =
      rows.at(0, 2) == next_segment(rows.at(0, 1)) && std::stoll(rows.at(0, 3)) <= 8192;
  out.unarchived_seconds = idle ? 0 : out.lag_seconds;
  return out;
}

core::Result<Platform::TenantView> Platform::observe_tenant(const catalog::TenantRecord& t) {
  TenantView v;
  v.record = t;
  v.continuity = continuity_of(t.name);
  const auto now = clock_.now();
  const HostRef host = LocalRuntime::host_of(t);
  // RPO now: what is not yet safe off the database — unarchived WAL when the cluster archives,
  // else everything since the newest tenant backup.
  if (has_runtime()) {
    auto archive = cluster_archive(host);
    if (archive.has_value()) v.archive = *archive;
  }
  BALLAST_ASSIGN_OR_RETURN(auto backups, catalog_->backups().list("tenant/" + t.name, 50));
  for (const auto& b : backups) {
    if (b.state != "complete") continue;
    v.tenant_backup = b;
    break;
  }
  if (v.archive && v.archive->unarchived_seconds >= 0) {
    v.rpo_seconds = v.archive->unarchived_seconds;
  } else if (v.tenant_backup) {
    const auto at =
        core::parse_rfc3339(v.tenant_backup->point_in_time).value_or(v.tenant_backup->started_at);
    v.rpo_seconds = seconds_between(at, now);
  }
  BALLAST_ASSIGN_OR_RETURN(auto drills, catalog_->continuity().drills(t.name, 1));
  if (!drills.empty()) v.last_drill = drills.front();
  BALLAST_ASSIGN_OR_RETURN(v.journeys, catalog_->continuity().latest_journeys(t.name));
  for (const auto& j : v.journeys) {
    BALLAST_ASSIGN_OR_RETURN(v.failures[j.journey],
                             catalog_->continuity().consecutive_failures(t.name, j.journey));
  }
  const spec::Tenant* in_spec = spec_.find_tenant(t.name);
  if (in_spec != nullptr) {
    if (const auto* calendar = spec_.find_calendar(in_spec->calendar)) {
      v.in_freeze = in_freeze(*calendar, now);
    }
  }
  const spec::Pool* pool = spec_.find_pool(t.pool);
  const spec::Stack* stack = spec_.find_stack(t.stack);
  v.drill_every = pool != nullptr    ? pool->backup.schedule.drill
                  : stack != nullptr ? stack->backup.schedule.drill
                                     : spec::Duration(7 * 86400);

  // The verdict: the worst of the reasons.
  auto note = [&](Readiness level, std::string reason) {
    v.status = std::max(v.status, level);
    v.reasons.push_back(std::move(reason));
  };
  const auto rpo_target = static_cast<double>(v.continuity.tightest_rpo().count());
  const auto rto_target = static_cast<double>(v.continuity.tightest_rto().count());
  if (v.rpo_seconds < 0) {
    note(Readiness::kNotReady, "no backup and no archived WAL: nothing to recover from");
  } else if (rpo_target > 0 && v.rpo_seconds > rpo_target) {
    note(Readiness::kNotReady,
         fmt::format("data not yet safe covers {}, over the RPO of {}",
                     drill::format_seconds(v.rpo_seconds), drill::format_seconds(rpo_target)));
  }
  if (!v.last_drill) {
    note(Readiness::kAtRisk, "no restore drill has run yet");
  } else {
    const auto& d = *v.last_drill;
    const double rto = d.detail.value("rto_seconds", -1.0);
    if (d.state == "failed") {
      const auto& reasons = d.detail.value("reasons", nlohmann::json::array());
      note(Readiness::kNotReady,
           "the last restore drill failed" +
               (reasons.empty() ? std::string() : ": " + reasons[0].get<std::string>()));
    } else if (d.state == "passed" && rto_target > 0 && rto > rto_target) {
      note(Readiness::kNotReady,
           fmt::format("the last drill's RTO {} is over the target of {}",
                       drill::format_seconds(rto), drill::format_seconds(rto_target)));
    }
    const double age = seconds_between(d.started_at, now);
    if (age > 2.0 * static_cast<double>(v.drill_every.count())) {
      note(Readiness::kAtRisk,
           fmt::format("the last restore drill ran {} ago", drill::format_seconds(age)));
    }
  }
  if (v.journeys.empty()) {
    note(Readiness::kAtRisk, "the synthetic journeys have not run yet");
  }
  for (const auto& j : v.journeys) {
    if (j.ok) continue;
    const int n = v.failures[j.journey];
    note(n >= 3 ? Readiness::kNotReady : Readiness::kAtRisk,
         fmt::format("the {} journey failed {} time{} in a row: {}", j.journey, n,
                     n == 1 ? "" : "s", j.detail.value("error", "")));
  }
  const auto room = disk_room(state_dir());
  if (room.free_ratio >= 0 && room.free_ratio < 0.05) {
    note(Readiness::kNotReady,
         fmt::format("the state directory's disk is {:.1f}% free", room.free_ratio * 100));
  } else if (room.free_ratio >= 0 && room.free_ratio < 0.10) {
    note(Readiness::kAtRisk,
         fmt::format("the state directory's disk is {:.1f}% free", room.free_ratio * 100));
  }
  return v;
}

std::string_view to_string(Platform::Readiness r) {
  switch (r) {
    case Platform::Readiness::kReady:
      return "ready";
    case Platform::Readiness::kAtRisk:
      return "at_risk";
    case Platform::Readiness::kNotReady:
      return "not_ready";
  }
  return "not_ready";
}

core::Result<nlohmann::json> Platform::readiness(const std::string& tenant) {
  std::vector<catalog::TenantRecord> records;
  if (tenant.empty()) {
    BALLAST_ASSIGN_OR_RETURN(records, catalog_->tenants().list());
  } else {
    BALLAST_ASSIGN_OR_RETURN(auto one, catalog_->tenants().get(tenant));
    records.push_back(std::move(one));
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& t : records) {
    if (!t.is_production()) continue;
    BALLAST_ASSIGN_OR_RETURN(auto v, observe_tenant(t));
    out.push_back({{"tenant", t.name},
                   {"status", to_string(v.status)},
                   {"reasons", v.reasons},
                   {"in_freeze", v.in_freeze},
                   {"rpo_seconds", v.rpo_seconds},
                   {"rpo_target_seconds", v.continuity.tightest_rpo().count()},
                   {"rto_target_seconds", v.continuity.tightest_rto().count()},
                   {"last_drill",
                    v.last_drill ? nlohmann::json(v.last_drill->state) : nlohmann::json(nullptr)}});
  }
  if (!tenant.empty()) return out.empty() ? nlohmann::json::object() : out[0];
  return nlohmann::json{{"tenants", out}};
}

core::Result<std::string> Platform::metrics() {
  namespace m = monitor::metric;
  monitor::Exposition e;
  const auto now = clock_.now();
  BALLAST_ASSIGN_OR_RETURN(auto tenants, catalog_->tenants().list());
  std::set<std::string> clusters;
  std::map<std::string, LocalRuntime::ProxyCounters> proxy;
  if (has_runtime()) {
    if (auto counted = runtime_->proxy_counters(); counted.has_value()) proxy = std::move(*counted);
  }
  for (const auto& t : tenants) {
    if (!t.is_production()) continue;
    BALLAST_ASSIGN_OR_RETURN(auto v, observe_tenant(t));
    const monitor::Labels tl = {{"tenant", t.name}};
    if (v.rpo_seconds >= 0) e.add(m::kRpo, tl, v.rpo_seconds);
    for (const auto& p : drill::kProcesses) {
      const auto& target = drill::target_of(v.continuity, p.name);
      const monitor::Labels pl = {{"tenant", t.name}, {"process", std::string(p.name)}};
      e.add(m::kRpoTarget, pl, static_cast<double>(target.rpo.count()));
      e.add(m::kRtoTarget, pl, static_cast<double>(target.rto.count()));
    }
    if (v.last_drill) {
      const auto& d = *v.last_drill;
      if (d.detail.contains("rto_seconds")) e.add(m::kDrillRto, tl, d.detail["rto_seconds"]);
      if (d.detail.contains("rpo_seconds")) e.add(m::kDrillRpo, tl, d.detail["rpo_seconds"]);
      e.add(m::kDrillSuccess, tl, d.state == "passed" ? 1 : 0);
      e.add(m::kDrillTimestamp, tl,
            std::chrono::duration<double>(d.finished_at.value_or(d.started_at).time_since_epoch())
                .count());
    }
    for (const auto& j : v.journeys) {
      e.add(m::kJourneySuccess, {{"tenant", t.name}, {"journey", j.journey}}, j.ok ? 1 : 0);
      e.add(m::kJourneyFailures, {{"tenant", t.name}, {"journey", j.journey}},
            v.failures[j.journey]);
      for (const auto& s : j.detail.value("steps", nlohmann::json::array())) {
        e.add(m::kJourneyDuration,
              {{"tenant", t.name}, {"journey", j.journey}, {"step", s.value("step", "")}},
              s.value("seconds", 0.0));
      }
    }
    if (v.tenant_backup) {
      const auto& b = *v.tenant_backup;
      const monitor::Labels bl = {{"tenant", t.name}, {"kind", "tenant"}};
      e.add(m::kBackupAge, bl, seconds_between(b.finished_at.value_or(b.started_at), now));
      e.add(m::kBackupSize, bl, static_cast<double>(b.stored_bytes));
      if (b.finished_at)
        e.add(m::kBackupDuration, bl, seconds_between(b.started_at, *b.finished_at));
    }
    for (auto status : {Readiness::kReady, Readiness::kAtRisk, Readiness::kNotReady}) {
      e.add(m::kReadiness, {{"tenant", t.name}, {"status", std::string(to_string(status))}},
            v.status == status ? 1 : 0);
    }
    e.add(m::kInFreeze, tl, v.in_freeze ? 1 : 0);
    e.add(m::kCondition, {{"subject", "tenant/" + t.name}, {"condition", "Ready"}},
          v.status == Readiness::kReady ? 1 : 0);
    if (has_runtime()) {
      const HostRef host = LocalRuntime::host_of(t);
      if (clusters.insert(host.owner()).second) {
        const monitor::Labels cl = {{"cluster", host.owner()}};
        if (v.archive) {
          if (v.archive->lag_seconds >= 0) e.add(m::kArchiveLag, cl, v.archive->lag_seconds);
          e.add(m::kPostgresConnections, cl, v.archive->connections);
          e.add(m::kPostgresMaxConnections, cl, v.archive->max_connections);
        }
        auto redis = runtime_->redis_admin(host);
        auto info = redis.has_value() ? redis->info()
                                      : core::Result<components::redis::Info>(redis.error());
        if (info.has_value()) {
          if (auto used = info->number("used_memory")) e.add(m::kRedisMemory, cl, *used);
          if (auto evicted = info->number("evicted_keys")) e.add(m::kRedisEvictions, cl, *evicted);
        }
        BALLAST_ASSIGN_OR_RETURN(auto cluster_backups, catalog_->backups().list(host.owner(), 200));
        std::set<std::string> kinds;
        for (const auto& b : cluster_backups) {
          if (b.state != "complete" || !kinds.insert(b.kind).second) continue;
          const monitor::Labels bl = {{"cluster", host.owner()}, {"kind", b.kind}};
          e.add(m::kBackupAge, bl, seconds_between(b.finished_at.value_or(b.started_at), now));
          e.add(m::kBackupSize, bl, static_cast<double>(b.stored_bytes));
          if (b.finished_at) {
            e.add(m::kBackupDuration, bl, seconds_between(b.started_at, *b.finished_at));
          }
        }
      }
      const auto counted = proxy.find(t.name);
      const auto proxied = counted == proxy.end() ? LocalRuntime::ProxyCounters{} : counted->second;
      e.add(m::kProxyRequests, tl, static_cast<double>(proxied.requests));
      e.add(m::kProxyResponses, {{"tenant", t.name}, {"class", "4xx"}},
            static_cast<double>(proxied.client_errors));
      e.add(m::kProxyResponses, {{"tenant", t.name}, {"class", "5xx"}},
            static_cast<double>(proxied.server_errors));
      e.add(m::kProxyRateLimited, tl, static_cast<double>(proxied.rate_limited));
      if (auto admin = runtime_->postgres_admin(host); admin.has_value()) {
        auto size = admin->query("SELECT pg_database_size($1)", {t.name});
        if (size.has_value() && !size->empty())
          e.add(m::kDatabaseSize, tl, std::stod(size->at(0, 0)));
      }
    }
  }
  BALLAST_ASSIGN_OR_RETURN(auto components, catalog_->components().list());
  for (const auto& c : components) {
    const monitor::Labels cl = {{"component", c.name}, {"kind", c.kind}};
    e.add(m::kComponentUp, cl, c.state == catalog::ComponentState::kRunning ? 1 : 0);
    e.add(m::kComponentRestarts, cl, static_cast<double>(c.restarts));
  }
  if (auto served = served_certificates(); served.has_value()) {
    for (const auto& c : *served) {
      e.add(m::kCertificateExpiry,
            {{"tenant", c.tenant}, {"source", c.is_supplied ? "spec" : "local-ca"}},
            seconds_between(now, c.not_after));
    }
  }
  const auto room = disk_room(state_dir());
  if (room.free_ratio >= 0) {
    e.add(m::kDiskFree, {}, room.free_bytes);
    e.add(m::kDiskFreeRatio, {}, room.free_ratio);
  }
  return e.text();
}

}  // namespace ballast::app
