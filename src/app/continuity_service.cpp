// Platform: proven continuity — synthetic journeys through the proxy, restore drills into a
// sandbox with RTO/RPO measured against the tenant's targets, and the drill report.
#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "app/platform.h"
#include "components/postgres/cluster.h"
#include "components/postgres/connection.h"
#include "core/crypto.h"
#include "core/file.h"
#include "core/log.h"
#include "core/text.h"
#include "drill/report.h"
#include "drill/verdict.h"
#include "monitor/journeys.h"
#include "security/local_ca.h"

namespace ballast::app {

namespace pg = components::postgres;
namespace od = components::odoo;
using runtime::local::LocalRuntime;

namespace {

std::string new_drill_id(core::SystemTime now) {
  std::string compact;
  for (char c : core::format_rfc3339(now)) {
    if (c != '-' && c != ':') compact += c;
  }
  return compact + "-" + core::hex_encode(core::random_bytes(2));
}

nlohmann::json journeys_json(const std::vector<monitor::JourneyResult>& results) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& j : results) out.push_back(monitor::to_json(j));
  return out;
}

}  // namespace

spec::Continuity Platform::continuity_of(const std::string& tenant) const {
  const spec::Tenant* t = spec_.find_tenant(tenant);
  return t != nullptr ? t->continuity : spec::Continuity{};
}

core::Result<core::Secret> Platform::synthetic_password(const std::string& tenant) {
  return catalog_->secrets().get_or_create("tenant/" + tenant, "synthetic_password",
                                           [] { return core::random_token(24); });
}

core::Result<od::Endpoint> Platform::proxy_endpoint(const catalog::TenantRecord& t) const {
  if (t.domains.empty()) {
    return core::make_error(core::ErrorCode::kPreconditionFailed,
                            "tenant '{}' has no domain to reach it through the proxy", t.name)
        .with_hint("Add one: ballast tenant domain add " + t.name + " <domain>");
  }
  od::Endpoint e;
  const auto& ingress = spec_.platform.ingress;
  e.host = t.domains.front();
  if (ingress.https) {
    e.address = ingress.https->host;
    e.port = ingress.https->port;
    e.ca_file = state_dir() / "ca" / std::string(security::LocalCa::kCertificateFile);
  } else {
    e.address = ingress.http.host;
    e.port = ingress.http.port;
  }
  if (e.address.empty() || e.address == "0.0.0.0") e.address = "127.0.0.1";
  return e;
}

core::Result<nlohmann::json> Platform::journeys_run(const std::string& tenant) {
  const core::log::Context logged({{"tenant", tenant}});
  BALLAST_TRY(require_runtime());
  BALLAST_ASSIGN_OR_RETURN(auto record, catalog_->tenants().get(tenant));
  if (!app_->is_configured()) {
    return core::Error(core::ErrorCode::kPreconditionFailed,
                       "journeys need Odoo, and no Odoo source is configured")
        .with_hint("Set platform.odoo.source in the spec or BALLAST_ODOO_SRC.");
  }
  if (record.state != catalog::TenantState::kActive) {
    return core::make_error(core::ErrorCode::kPreconditionFailed,
                            "tenant '{}' is {}: journeys run on active tenants", tenant,
                            catalog::to_string(record.state));
  }
  BALLAST_ASSIGN_OR_RETURN(auto endpoint, proxy_endpoint(record));
  BALLAST_ASSIGN_OR_RETURN(auto password, synthetic_password(tenant));
  {
    std::lock_guard lock(synthetic_mutex_);
    if (synthetic_ready_.count(tenant) == 0U) {
      BALLAST_ASSIGN_OR_RETURN(auto admin,
                               catalog_->secrets().get("tenant/" + tenant, "odoo_admin_password"));
      if (auto user = monitor::ensure_synthetic_user(endpoint, tenant, admin, password);
          !user.has_value()) {
        return std::move(user).error().with_context("setting up the synthetic user");
      }
      synthetic_ready_.insert(tenant);
    }
  }
  monitor::JourneyTarget target{endpoint, tenant, std::string(monitor::kSyntheticLogin), password,
                                false};
  const auto results = monitor::run_journeys(target);
  bool ok = true;
  const auto now = clock_.now();
  for (const auto& j : results) {
    ok = ok && j.ok;
    core::log::write(j.ok ? core::log::Level::kInfo : core::log::Level::kWarn, "journey",
                     {{"journey", j.journey},
                      {"ok", j.ok ? "true" : "false"},
                      {"seconds", fmt::format("{:.3f}", j.seconds())}});
    (void)catalog_->continuity().record_journey(
        {tenant, now, "production", j.journey, j.ok, monitor::to_json(j)});
    if (!j.ok) {
      (void)catalog_->events().record(catalog::EventLevel::kWarning, "tenant/" + tenant,
                                      "JourneyFailed", j.journey + ": " + j.error());
      synthetic_ready_.erase(tenant);  // set the user up again next time, in case it went
    }
  }
  return nlohmann::json{
      {"tenant", tenant},
      {"at", core::format_rfc3339_ms(now)},
      {"through", fmt::format("{}:{} as {}", endpoint.address, endpoint.port, endpoint.host)},
      {"ok", ok},
      {"journeys", journeys_json(results)}};
}

core::Result<nlohmann::json> Platform::drill_run(const DrillRequest& r, const Actor& actor,
                                                 const backup::ProgressFn& progress) {
  BALLAST_TRY(require_runtime());
  BALLAST_ASSIGN_OR_RETURN(auto record, catalog_->tenants().get(r.tenant));
  if (!app_->is_configured()) {
    return core::Error(core::ErrorCode::kPreconditionFailed,
                       "a drill serves the copy with Odoo, and no Odoo source is configured")
        .with_hint("Set platform.odoo.source in the spec or BALLAST_ODOO_SRC.");
  }
  const auto host = LocalRuntime::host_of(record);
  {
    std::lock_guard lock(synthetic_mutex_);
    if (!drilling_.insert(host.owner()).second) {
      return core::make_error(core::ErrorCode::kConflict,
                              "a drill is already running on {}: one heavy drill per cluster",
                              host.owner())
          .with_hint("Run it again when that drill has finished ('ballast drill report').");
    }
  }
  struct Release {
    Platform& p;
    std::string owner;
    ~Release() {
      std::lock_guard lock(p.synthetic_mutex_);
      p.drilling_.erase(owner);
    }
  } release{*this, host.owner()};

  catalog::DrillRecord d{new_drill_id(clock_.now()), r.tenant, clock_.now()};
  const std::string target_text = r.target.empty() ? "latest" : r.target;
  d.detail = {{"target", target_text}, {"cluster", host.owner()}};
  BALLAST_TRY(catalog_->continuity().save_drill(d));
  const auto started = clock_.steady_now();
  const auto continuity = continuity_of(r.tenant);
  drill::Measured m;
  const core::log::Context logged({{"tenant", r.tenant}, {"drill", d.id}});
  core::log::info("drill started", {{"target", target_text}});
  auto step = [&](std::string_view name) {
    core::log::info("drill step", {{"step", std::string(name)}});
    if (progress) progress({std::string(name), 0});
  };

  // Everything below fails into m.problems: a drill always ends with a verdict.
  auto run = [&]() -> core::Status {
    core::SystemTime target{};
    nlohmann::json expected = nlohmann::json::object();
    std::set<std::string> unsettled;
    BALLAST_ASSIGN_OR_RETURN(auto window, runtime_->recovery_window(host));
    if (target_text == "latest") {
      // pgBackRest picks the backup set by whole seconds: a target in the very second the
      // newest backup stopped would recover from an older one (or find none), so a drill right
      // after a backup waits that second out.
      const auto usable = window.newest_backup + std::chrono::seconds(1);
      if (clock_.now() < usable) std::this_thread::sleep_for(usable - clock_.now());
      // The data as it is now, recorded twice around the target: what did not move in between
      // must be in the copy exactly.
      step("record");
      BALLAST_ASSIGN_OR_RETURN(auto live, runtime_->postgres_admin(host, r.tenant));
      BALLAST_ASSIGN_OR_RETURN(auto before, backup::data_checks(live));
      BALLAST_TRY(keep_->absorb(r.tenant));
      // A commit just before the target, so the copy shows how close to it recovery came.
      BALLAST_TRY(runtime_->heartbeat(host));
      target = clock_.now();
      step("archive");
      BALLAST_TRY(runtime_->archive_now(host));
      BALLAST_ASSIGN_OR_RETURN(auto after, backup::data_checks(live));
      for (const auto& [label, value] : before.items()) {
        if (!after.contains(label) || after[label] != value) unsettled.insert(label);
      }
      expected = before;
    } else if (target_text == "random") {
      const auto span =
          std::chrono::duration_cast<std::chrono::seconds>(window.latest - window.earliest);
      std::uint64_t pick = 0;
      for (char c : core::random_bytes(8)) pick = (pick << 8U) | static_cast<unsigned char>(c);
      target = window.earliest +
               std::chrono::seconds(
                   span.count() > 0
                       ? static_cast<std::int64_t>(pick % static_cast<std::uint64_t>(span.count()))
                       : 0);
    } else {
      auto at = core::parse_rfc3339(target_text);
      if (!at) {
        return core::make_error(core::ErrorCode::kInvalidArgument, "'{}' is not a drill target",
                                target_text)
            .with_hint("Use latest, random, or a time in RFC 3339 (2026-11-22T09:30:00Z).");
      }
      if (*at < window.earliest || *at > window.latest) {
        return core::make_error(core::ErrorCode::kInvalidArgument,
                                "{} is outside the recovery window of '{}': {} to {}", target_text,
                                r.tenant, core::format_rfc3339(window.earliest),
                                core::format_rfc3339(window.latest));
      }
      target = *at;
    }
    d.detail["target_time"] = core::format_rfc3339_ms(target);

    step("restore");
    auto restored = runtime_->restore_sandbox(host, r.tenant, target);
    if (!restored.has_value()) {
      // pgBackRest's restore says what broke, rarely where; its verify names the file.
      m.problems.push_back(restored.error().to_string());
      if (auto found = runtime_->verify_findings(host); found.has_value() && !found->empty()) {
        m.problems.push_back("pgbackrest verify of the repository: " +
                             fmt::format("{}", fmt::join(*found, "; ")));
      }
      return core::ok();
    }
    auto& sandbox = *restored;
    d.detail["recovery_point"] = core::format_rfc3339_ms(sandbox->reached);
    m.rpo_seconds = std::max(0.0, std::chrono::duration<double>(target - sandbox->reached).count());
    d.detail["sandbox"] = sandbox->dir().filename().string();
    BALLAST_ASSIGN_OR_RETURN(auto admin_password,
                             catalog_->secrets().get(host.owner(), "postgres_admin_password"));

    step("amcheck");
    core::Command amcheck{
        .argv = {(pg::bin_dir() / "pg_amcheck").string(), "-h", sandbox->socket_dir().string(),
                 "-p", std::to_string(sandbox->port()), "-U", std::string(pg::kAdminRole),
                 "--install-missing", "--heapallindexed", "-d", r.tenant},
        .env = {{"PGPASSWORD", admin_password.reveal()}}};
    auto checked = core::run(amcheck, std::chrono::hours(2));
    if (!checked.has_value()) {
      m.problems.push_back("pg_amcheck could not run: " + checked.error().to_string());
    } else if (!checked->status.is_success()) {
      auto said = std::string(core::trim(checked->out + checked->err));
      if (said.size() > 600) said = said.substr(0, 600) + "…";
      m.problems.push_back("pg_amcheck found damage in the copy (" + checked->status.describe() +
                           "): " + said);
    }
    d.detail["amcheck"] = checked.has_value() && checked->status.is_success() ? "clean" : "failed";

    step("checks");
    BALLAST_ASSIGN_OR_RETURN(auto copy,
                             pg::Connection::open({sandbox->socket_dir().string(), sandbox->port(),
                                                   pg::kAdminRole, admin_password, r.tenant}));
    BALLAST_ASSIGN_OR_RETURN(auto copy_checks, backup::data_checks(copy));
    for (auto& diff : drill::compare_checks(expected, copy_checks, unsettled)) {
      m.problems.push_back(std::move(diff));
    }
    d.detail["checks"] = {
        {"copy", copy_checks}, {"recorded", expected}, {"not_compared", unsettled}};

    step("filestore");
    BALLAST_ASSIGN_OR_RETURN(auto objects, backup::referenced_objects(copy));
    const auto filestore = sandbox->dir() / "odoo" / "filestore" / r.tenant;
    auto off_repo = repository_for(record, "");
    auto off_key = backups_->key(r.tenant);
    std::optional<backup::OffHost> off;
    if (off_repo.has_value() && off_key.has_value())
      off.emplace(backup::OffHost{*off_repo->second,
                                  *off_key,
                                  {},
                                  backups_->keys(r.tenant).value_or(std::vector<core::Secret>{})});
    BALLAST_ASSIGN_OR_RETURN(auto files,
                             keep_->recover(r.tenant, objects, filestore, off ? &*off : nullptr));
    const auto& id = runtime_->identity();
    BALLAST_TRY(core::chown_path(sandbox->dir() / "odoo", id.uid, id.gid, true));
    d.detail["filestore"] = {{"referenced", objects.size()}, {"missing", files.missing.size()}};
    if (!files.missing.empty()) {
      m.problems.push_back(
          fmt::format("{} file-store objects the copy references were found "
                      "nowhere, e.g. {}",
                      files.missing.size(), files.missing.front()));
    }

    step("odoo");
    BALLAST_ASSIGN_OR_RETURN(auto app, app_->start_on_sandbox(record, *sandbox));
    od::Endpoint endpoint;
    endpoint.port = app->port();
    BALLAST_ASSIGN_OR_RETURN(auto password, synthetic_password(r.tenant));
    BALLAST_ASSIGN_OR_RETURN(auto odoo_admin,
                             catalog_->secrets().get("tenant/" + r.tenant, "odoo_admin_password"));
    step("journeys");
    if (auto user = monitor::ensure_synthetic_user(endpoint, r.tenant, odoo_admin, password);
        !user.has_value()) {
      return std::move(user).error().with_context("setting up the synthetic user on the copy");
    }
    const auto results = monitor::run_journeys(
        {endpoint, r.tenant, std::string(monitor::kSyntheticLogin), password, true});
    m.rto_seconds = std::chrono::duration<double>(clock_.steady_now() - started).count();
    for (const auto& j : results) {
      m.journeys[j.journey] = j.ok;
      if (!j.ok) m.whys[j.journey] = j.error();
      (void)catalog_->continuity().record_journey(
          {r.tenant, clock_.now(), "drill", j.journey, j.ok, monitor::to_json(j)});
    }
    d.detail["journeys"] = journeys_json(results);
    step("cleanup");
    return core::ok();  // the copy's Odoo, then the sandbox, stop and go here
  };
  if (auto status = run(); !status.has_value()) m.problems.push_back(status.error().to_string());

  const auto verdict = drill::judge(continuity, m);
  d.finished_at = clock_.now();
  d.state = verdict["passed"].get<bool>() ? "passed" : "failed";
  if (m.rto_seconds >= 0) d.detail["rto_seconds"] = m.rto_seconds;
  if (m.rpo_seconds >= 0) d.detail["rpo_seconds"] = m.rpo_seconds;
  d.detail["duration_seconds"] =
      std::chrono::duration<double>(clock_.steady_now() - started).count();
  d.detail["reasons"] = verdict["reasons"];
  d.detail["processes"] = verdict["processes"];
  BALLAST_TRY(catalog_->continuity().save_drill(d));
  const core::Status outcome =
      d.state == "passed" ? core::ok()
                          : core::Status(core::make_error(core::ErrorCode::kPreconditionFailed,
                                                          "the drill of '{}' failed", r.tenant));
  BALLAST_TRY(audit(actor, "drill.run", "tenant/" + r.tenant, outcome,
                    {{"drill", d.id}, {"target", target_text}, {"state", d.state}}));
  (void)catalog_->events().record(
      d.state == "passed" ? catalog::EventLevel::kNormal : catalog::EventLevel::kWarning,
      "tenant/" + r.tenant, d.state == "passed" ? "DrillPassed" : "DrillFailed",
      d.state == "passed" ? fmt::format("RTO {}, RPO {}", drill::format_seconds(m.rto_seconds),
                                        drill::format_seconds(m.rpo_seconds))
                          : fmt::format("{}", verdict["reasons"].empty()
                                                  ? std::string("failed")
                                                  : verdict["reasons"][0].get<std::string>()));
  nlohmann::json out = d.detail;
  out["id"] = d.id;
  out["tenant"] = r.tenant;
  out["state"] = d.state;
  out["passed"] = d.state == "passed";
  out["started_at"] = core::format_rfc3339_ms(d.started_at);
  out["finished_at"] = core::format_rfc3339_ms(*d.finished_at);
  return out;
}

core::Status Platform::close_interrupted_drills() {
  BALLAST_ASSIGN_OR_RETURN(auto open, catalog_->continuity().unfinished_drills());
  for (auto& d : open) {
    d.state = "failed";
    d.finished_at = clock_.now();
    d.detail["reasons"] = nlohmann::json::array(
        {"the daemon stopped during the drill; its sandbox was removed at the next start"});
    BALLAST_TRY(catalog_->continuity().save_drill(d));
    (void)catalog_->events().record(catalog::EventLevel::kWarning, "tenant/" + d.tenant,
                                    "DrillInterrupted", "drill " + d.id + " did not finish");
  }
  return core::ok();
}

core::Result<drill::ReportInput> Platform::drill_history(const std::string& tenant) {
  BALLAST_ASSIGN_OR_RETURN(auto record, catalog_->tenants().get(tenant));
  BALLAST_ASSIGN_OR_RETURN(auto drills, catalog_->continuity().drills(tenant, 500));
  return drill::ReportInput{spec_.platform.name, record.name, continuity_of(tenant),
                            std::move(drills), core::format_rfc3339(clock_.now())};
}

}  // namespace ballast::app
