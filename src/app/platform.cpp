#include "app/platform.h"

#include "core/file.h"
#include "core/log.h"
#include "security/local_ca.h"
#include "security/supplied_certificates.h"

namespace ballast::app {

core::Result<std::unique_ptr<Platform>> Platform::open(spec::Spec spec, catalog::OpenMode mode,
                                                       const core::Clock& clock) {
  std::unique_ptr<Platform> platform(new Platform(std::move(spec), clock));
  BALLAST_ASSIGN_OR_RETURN(platform->catalog_,
                           catalog::Catalog::open(platform->state_dir(), clock, mode));
  platform->started_at_ = clock.now();
  return platform;
}

Platform::~Platform() {
  stopping_ = true;
  if (schedule_.valid()) schedule_.wait();
  // Components outlive a daemon that did not stop them (they are adopted next time).
  if (runtime_) runtime_->detach_all();
}

core::Status Platform::require_runtime() const {
  if (runtime_) return core::ok();
  return core::Error(core::ErrorCode::kUnavailable, "this needs the running daemon")
      .with_hint("Start it with 'ballast up --detach'.");
}

core::Result<reconcile::ApplyReport> Platform::start_runtime(const core::Identity& identity) {
  std::lock_guard lock(changes_);
  runtime_ = std::make_unique<runtime::local::LocalRuntime>(spec_, *catalog_, clock_, identity);
  app_ = std::make_unique<runtime::local::AppTier>(*runtime_, *catalog_);
  runtime_->set_app_endpoints(
      [app = app_.get()](const std::string& tenant) { return app->endpoints(tenant); });
  runtime_->set_certificate_issuer(
      [this](const std::vector<std::string>& domains) { return issue_certificate(domains); });
  runtime_->set_supplied_certificates(
      [this](const std::string& tenant, const std::vector<std::string>& domains) {
        return security::load_supplied_certificate(spec_, tenant, domains, clock_.now());
      });
  ops_ = std::make_unique<reconcile::TenantOps>(spec_, *catalog_, *runtime_, app_.get());
  backups_ = std::make_unique<backup::TenantBackups>(*catalog_, *runtime_);
  keep_ = std::make_unique<backup::FilestoreKeep>(runtime_->layout());
  for (const auto& name : runtime_->remove_stale_sandboxes()) {
    (void)catalog_->events().record(catalog::EventLevel::kWarning, "sandbox/" + name,
                                    "SandboxRemoved",
                                    "left by a daemon that stopped mid-restore or mid-drill");
  }
  BALLAST_TRY(close_interrupted_drills());
  BALLAST_TRY(runtime_->start_recorded());
  // The first scheduled backups wait a minute: start-up and its repairs come first.
  next_schedule_check_ = clock_.steady_now() + std::chrono::seconds(60);
  return apply(nullptr, reconcile::ApplyOptions{}, Actor{"daemon"});
}

core::Result<core::Secret> Platform::issue_certificate(const std::vector<std::string>& domains) {
  const auto dir = state_dir() / "ca";
  BALLAST_ASSIGN_OR_RETURN(
      auto ca, security::LocalCa::open_or_create(dir, spec_.platform.name + " local CA", clock_));
  BALLAST_ASSIGN_OR_RETURN(auto issued,
                           ca.issue(domains, dir / "issued", std::chrono::hours(24 * 397)));
  BALLAST_ASSIGN_OR_RETURN(auto chain, core::read_file(issued.chain, 1 << 20));
  BALLAST_ASSIGN_OR_RETURN(auto key, core::read_file(issued.key, 1 << 20));
  // The proxy's combined file is the one copy of the key that is kept.
  std::error_code ec;
  std::filesystem::remove(issued.key, ec);
  return core::Secret(chain + key);
}

void Platform::stop_runtime() {
  stopping_ = true;
  if (schedule_.valid()) schedule_.wait();  // a running job finishes first
  std::lock_guard lock(changes_);
  if (runtime_) runtime_->stop_all();
}

void Platform::tick() {
  if (!runtime_) return;
  runtime_->tick();
  const auto now = clock_.steady_now();
  if (now >= next_quota_check_) {
    next_quota_check_ = now + std::chrono::seconds(60);
    measure_quotas();
  }
  // Scheduled backups run off the control loop, one run at a time.
  if (now >= next_schedule_check_ && !stopping_ &&
      (!schedule_.valid() ||
       schedule_.wait_for(std::chrono::seconds(0)) == std::future_status::ready)) {
    next_schedule_check_ = now + std::chrono::seconds(30);
    schedule_ = std::async(std::launch::async, [this] { run_schedules(); });
  }
  if (now >= next_trash_purge_) {
    next_trash_purge_ = now + std::chrono::hours(1);
    std::lock_guard lock(changes_);
    auto purged = ops_->purge_trash(clock_.now());
    for (const auto& name : purged.value_or(std::vector<std::string>{})) {
      (void)audit(Actor{"daemon"}, "trash.purge", "trash/" + name, core::ok());
    }
  }
}

void Platform::measure_quotas() {
  std::lock_guard lock(changes_);
  auto tenants = catalog_->tenants().list();
  if (!tenants.has_value()) return;
  for (const auto& t : *tenants) {
    auto usage = ops_->usage(t);
    if (!usage.has_value() || !usage->is_over_quota()) continue;
    (void)catalog_->events().record(
        catalog::EventLevel::kWarning, "tenant/" + t.name, "OverQuota",
        fmt::format("database {} of {} bytes, file store {} of {} bytes", usage->db_bytes,
                    usage->db_quota_bytes, usage->filestore_bytes, usage->filestore_quota_bytes));
  }
}

core::Result<reconcile::Observed> Platform::observe() {
  reconcile::Observed observed;
  BALLAST_ASSIGN_OR_RETURN(auto components, catalog_->components().list());
  for (const auto& c : components) {
    if (c.owner.rfind("pool/", 0) == 0) observed.pools.insert(c.owner.substr(5));
    if (c.owner.rfind("stack/", 0) == 0) observed.stacks.insert(c.owner.substr(6));
  }
  BALLAST_ASSIGN_OR_RETURN(auto tenants, catalog_->tenants().list());
  std::map<std::string, std::vector<std::string>> drift;
  if (ops_) {
    BALLAST_ASSIGN_OR_RETURN(drift, ops_->drift_all(tenants));
  }
  for (auto& t : tenants) {
    const std::string name = t.name;
    auto& o = observed.tenants[name];
    o.missing = std::move(drift[name]);
    o.record = std::move(t);
  }
  return observed;
}

core::Result<reconcile::Plan> Platform::plan() { return plan_for(spec_); }

core::Result<reconcile::Plan> Platform::plan_for(const spec::Spec& next) {
  std::lock_guard lock(changes_);
  BALLAST_ASSIGN_OR_RETURN(auto observed, observe());
  return reconcile::plan(next, observed);
}

core::Result<reconcile::ApplyReport> Platform::apply(const spec::Spec* next,
                                                     const reconcile::ApplyOptions& options,
                                                     const Actor& actor) {
  std::lock_guard lock(changes_);
  BALLAST_TRY(require_runtime());
  // A new spec with a bad certificate is refused whole; the daemon's own apply of the spec it
  // runs (start-up) goes on, the proxy keeping what it serves (see sync_certificates).
  if (auto checked = check_certificates(next != nullptr ? *next : spec_);
      !checked.has_value() && next != nullptr) {
    return std::move(checked).error();
  }
  if (next != nullptr) {
    if (next->state_dir() != spec_.state_dir() || !(next->platform.api == spec_.platform.api) ||
        !(next->platform.ingress.http == spec_.platform.ingress.http)) {
      return core::Error(core::ErrorCode::kConflict,
                         "the new spec changes the state directory or the listen addresses")
          .with_hint("Those need a restart: 'ballast down', then 'ballast up' with the new spec.");
    }
    spec_ = *next;  // the runtime and ops hold references to spec_
  }
  BALLAST_ASSIGN_OR_RETURN(auto observed, observe());
  const auto plan = reconcile::plan(spec_, observed);
  auto report = reconcile::apply(
      plan, spec_, *ops_, *runtime_, options, [&](const reconcile::ActionResult& r) {
        core::Status outcome = core::ok();
        if (r.outcome == "failed") {
          outcome = core::Error(core::ErrorCode::kComponentFailed, r.error);
        }
        (void)audit(actor, "apply." + std::string(to_string(r.action.kind)), r.action.subject,
                    outcome, {{"target", r.action.target}, {"outcome", r.outcome}});
      });
  // Supplied certificates whose files changed are served now, even when no tenant changed.
  if (spec_.platform.ingress.https) {
    // At start-up a refused certificate is an event (recorded by the sync), not a failure.
    auto synced = runtime_->sync_routes();
    if (!synced.has_value() &&
        (next != nullptr || synced.error().code() != core::ErrorCode::kSpecInvalid)) {
      return std::move(synced).error();
    }
  }
  return report;
}

core::Result<nlohmann::json> Platform::status() {
  BALLAST_ASSIGN_OR_RETURN(auto tenants, catalog_->tenants().list());
  BALLAST_ASSIGN_OR_RETURN(auto components, catalog_->components().list());
  BALLAST_ASSIGN_OR_RETURN(auto pending, plan());
  nlohmann::json tenant_list = nlohmann::json::array();
  for (const auto& t : tenants) {
    auto one = tenant_json(t);
    // Billing-cycle readiness of production tenants ('ballast readiness' has the reasons).
    if (t.is_production() && has_runtime()) {
      auto view = observe_tenant(t);
      one["readiness"] = view.has_value() ? std::string(to_string(view->status)) : "unknown";
    }
    tenant_list.push_back(std::move(one));
  }
  nlohmann::json component_list = nlohmann::json::array();
  for (const auto& c : components) {
    component_list.push_back({{"name", c.name},
                              {"kind", c.kind},
                              {"state", catalog::to_string(c.state)},
                              {"port", c.port ? nlohmann::json(*c.port) : nlohmann::json(nullptr)},
                              {"pid", c.pid ? nlohmann::json(*c.pid) : nlohmann::json(nullptr)},
                              {"restarts", c.restarts},
                              {"last_error", c.last_error}});
  }
  return nlohmann::json{
      {"platform", spec_.platform.name},
      {"state_dir", state_dir().string()},
      {"started_at", core::format_rfc3339(started_at_)},
      {"ingress", "http://" + spec::format_host_port(spec_.platform.ingress.http)},
      {"tenants_desired", spec_.tenants.size()},
      {"tenants", tenant_list},
      {"components", component_list},
      {"pending_actions", pending.actions.size()},
  };
}

core::Status Platform::audit(const Actor& actor, std::string_view action, std::string_view target,
                             const core::Status& outcome, nlohmann::json detail) {
  catalog::AuditEntry entry;
  entry.actor = actor.id;
  entry.action = action;
  entry.target = target;
  entry.outcome = outcome.has_value() ? "ok" : std::string(outcome.error().code_name());
  if (!outcome.has_value()) detail["error"] = outcome.error().message();
  if (!actor.approved_by.empty()) detail["approved_by"] = actor.approved_by;
  entry.detail = detail.dump();
  BALLAST_TRY(catalog_->audit().append(std::move(entry)));
  return core::ok();
}

nlohmann::json tenant_json(const catalog::TenantRecord& t) {
  return {{"name", t.name},
          {"environment", t.environment},
          {"parent", t.parent},
          {"tier", spec::to_string(t.tier)},
          {"pool", t.pool},
          {"stack", t.stack},
          {"plan", t.plan},
          {"domains", t.domains},
          {"state", catalog::to_string(t.state)},
          {"origin", t.origin},
          {"created_at", core::format_rfc3339(t.created_at)},
          {"updated_at", core::format_rfc3339(t.updated_at)},
          {"generation", t.generation}};
}

}  // namespace ballast::app
