#include "app/platform.h"

#include "core/file.h"

namespace ballast::app {

core::Result<std::unique_ptr<Platform>> Platform::open(spec::Spec spec, catalog::OpenMode mode,
                                                       const core::Clock& clock) {
  std::unique_ptr<Platform> platform(new Platform(std::move(spec), clock));
  BALLAST_ASSIGN_OR_RETURN(platform->catalog_,
                           catalog::Catalog::open(platform->state_dir(), clock, mode));
  platform->started_at_ = clock.now();
  return platform;
}

core::Result<reconcile::Observed> Platform::observe() {
  reconcile::Observed observed;
  BALLAST_ASSIGN_OR_RETURN(auto components, catalog_->components().list());
  for (const auto& c : components) {
    if (c.owner.rfind("pool/", 0) == 0) observed.pools.insert(c.owner.substr(5));
    if (c.owner.rfind("stack/", 0) == 0) observed.stacks.insert(c.owner.substr(6));
  }
  BALLAST_ASSIGN_OR_RETURN(auto tenants, catalog_->tenants().list());
  for (auto& t : tenants) {
    const std::string name = t.name;
    observed.tenants[name].record = std::move(t);
  }
  return observed;
}

core::Result<reconcile::Plan> Platform::plan() {
  BALLAST_ASSIGN_OR_RETURN(auto observed, observe());
  return reconcile::plan(spec_, observed);
}

core::Result<nlohmann::json> Platform::status() {
  BALLAST_ASSIGN_OR_RETURN(auto tenants, catalog_->tenants().list());
  BALLAST_ASSIGN_OR_RETURN(auto components, catalog_->components().list());
  BALLAST_ASSIGN_OR_RETURN(auto pending, plan());
  nlohmann::json tenant_list = nlohmann::json::array();
  for (const auto& t : tenants) {
    tenant_list.push_back({{"name", t.name},
                           {"state", catalog::to_string(t.state)},
                           {"plan", t.plan},
                           {"domains", t.domains}});
  }
  nlohmann::json component_list = nlohmann::json::array();
  for (const auto& c : components) {
    component_list.push_back({{"name", c.name},
                              {"kind", c.kind},
                              {"state", catalog::to_string(c.state)},
                              {"port", c.port ? nlohmann::json(*c.port) : nlohmann::json(nullptr)},
                              {"restarts", c.restarts}});
  }
  return nlohmann::json{
      {"platform", spec_.platform.name},
      {"state_dir", state_dir().string()},
      {"started_at", core::format_rfc3339(started_at_)},
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
  entry.detail = detail.dump();
  BALLAST_TRY(catalog_->audit().append(std::move(entry)));
  return core::ok();
}

}  // namespace ballast::app
