// Platform: the tenant service functions shared by the REST API and the CLI.
#include "app/platform.h"

namespace ballast::app {

core::Result<nlohmann::json> Platform::tenant_change(
    const std::string& name, std::string_view action, const Actor& actor,
    const std::function<core::Result<reconcile::Outcome>()>& change, nlohmann::json detail) {
  std::lock_guard lock(changes_);
  BALLAST_TRY(require_runtime());
  auto outcome = change();
  const core::Status status = outcome.has_value() ? core::ok() : core::Status(outcome.error());
  if (outcome.has_value()) detail["outcome"] = reconcile::to_string(*outcome);
  BALLAST_TRY(audit(actor, action, "tenant/" + name, status, detail));
  if (!outcome.has_value()) return std::move(outcome).error();
  BALLAST_ASSIGN_OR_RETURN(auto record, catalog_->tenants().get(name));
  auto json = tenant_json(record);
  json["outcome"] = reconcile::to_string(*outcome);
  return json;
}

core::Result<nlohmann::json> Platform::tenant_create(const nlohmann::json& request,
                                                     const Actor& actor) {
  std::lock_guard lock(changes_);
  BALLAST_TRY(require_runtime());
  auto tenant = reconcile::tenant_from_request(spec_, request);
  const std::string name = request.value("name", "");
  if (!tenant.has_value()) {
    BALLAST_TRY(
        audit(actor, "tenant.create", "tenant/" + name, core::Status(tenant.error()), request));
    return std::move(tenant).error();
  }
  BALLAST_ASSIGN_OR_RETURN(auto existing, catalog_->tenants().find(name));
  if (existing) {
    auto error =
        core::make_error(core::ErrorCode::kAlreadyExists, "tenant '{}' already exists", name)
            .with_hint("Use 'ballast tenant show " + name + "' to see it.");
    BALLAST_TRY(audit(actor, "tenant.create", "tenant/" + name, core::Status(error), request));
    return error;
  }
  // Its origin is recorded, so apply never deletes a tenant it did not create.
  const std::string origin = spec_.find_tenant(name) != nullptr ? "spec" : "api";
  return tenant_change(
      name, "tenant.create", actor, [&] { return ops_->ensure(*tenant, origin); }, request);
}

core::Result<nlohmann::json> Platform::tenant_list() {
  BALLAST_ASSIGN_OR_RETURN(auto tenants, catalog_->tenants().list());
  nlohmann::json out = nlohmann::json::array();
  for (const auto& t : tenants) out.push_back(tenant_json(t));
  return nlohmann::json{{"tenants", out}};
}

core::Result<nlohmann::json> Platform::tenant_show(const std::string& name) {
  std::lock_guard lock(changes_);
  BALLAST_ASSIGN_OR_RETURN(auto record, catalog_->tenants().get(name));
  auto json = tenant_json(record);
  if (ops_) {
    BALLAST_ASSIGN_OR_RETURN(auto missing, ops_->drift(record));
    json["drift"] = missing;
    auto usage = ops_->usage(record);
    if (usage.has_value()) {
      json["usage"] = {{"db_bytes", usage->db_bytes},
                       {"db_quota_bytes", usage->db_quota_bytes},
                       {"filestore_bytes", usage->filestore_bytes},
                       {"filestore_quota_bytes", usage->filestore_quota_bytes},
                       {"over_quota", usage->is_over_quota()}};
    }
    json["filestore"] = runtime_->layout().filestore(name).string();
  }
  BALLAST_ASSIGN_OR_RETURN(auto events, catalog_->events().list("tenant/" + name, 10));
  nlohmann::json recent = nlohmann::json::array();
  for (const auto& e : events) {
    recent.push_back(
        {{"at", core::format_rfc3339(e.at)}, {"reason", e.reason}, {"message", e.message}});
  }
  json["events"] = recent;
  return json;
}

core::Result<nlohmann::json> Platform::tenant_suspend(const std::string& name, const Actor& actor) {
  return tenant_change(name, "tenant.suspend", actor,
                       [&] { return ops_->set_state(name, catalog::TenantState::kSuspended); });
}

core::Result<nlohmann::json> Platform::tenant_resume(const std::string& name, const Actor& actor) {
  return tenant_change(name, "tenant.resume", actor,
                       [&] { return ops_->set_state(name, catalog::TenantState::kActive); });
}

core::Result<nlohmann::json> Platform::tenant_set_plan(const std::string& name,
                                                       const std::string& plan,
                                                       const Actor& actor) {
  return tenant_change(name, "tenant.set_plan", actor, [&] { return ops_->set_plan(name, plan); },
                       {{"plan", plan}});
}

core::Result<nlohmann::json> Platform::tenant_add_domain(const std::string& name,
                                                         const std::string& domain,
                                                         const Actor& actor) {
  return tenant_change(name, "tenant.add_domain", actor,
                       [&] { return ops_->add_domain(name, domain); }, {{"domain", domain}});
}

core::Result<nlohmann::json> Platform::tenant_remove_domain(const std::string& name,
                                                            const std::string& domain,
                                                            const Actor& actor) {
  return tenant_change(name, "tenant.remove_domain", actor,
                       [&] { return ops_->remove_domain(name, domain); }, {{"domain", domain}});
}

core::Result<nlohmann::json> Platform::tenant_delete(const std::string& name,
                                                     const DeleteRequest& request,
                                                     const Actor& actor) {
  std::lock_guard lock(changes_);
  BALLAST_TRY(require_runtime());
  const nlohmann::json detail = {{"reason", request.reason}};
  if (request.confirm != name) {
    auto error = core::make_error(core::ErrorCode::kConfirmationRequired,
                                  "deleting tenant '{}' needs confirmation", name)
                     .with_hint("Repeat its name: 'ballast tenant delete " + name + " --confirm " +
                                name + " --reason \"…\"'.");
    BALLAST_TRY(audit(actor, "tenant.delete", "tenant/" + name, core::Status(error), detail));
    return error;
  }
  auto trash = ops_->remove(name);
  BALLAST_TRY(audit(actor, "tenant.delete", "tenant/" + name,
                    trash.has_value() ? core::ok() : core::Status(trash.error()), detail));
  if (!trash.has_value()) return std::move(trash).error();
  return nlohmann::json{{"name", name},
                        {"deleted", true},
                        {"trash", *trash},
                        {"purged_after", spec::format_duration(spec_.platform.trash_retention)}};
}

}  // namespace ballast::app
