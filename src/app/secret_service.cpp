// Platform: rotating tenants' generated secrets (database and Redis passwords, Odoo's
// admin_passwd), shared by the REST API and the CLI. Audited per tenant; never answers a secret.
#include <fmt/format.h>

#include "app/platform.h"

namespace ballast::app {

core::Result<nlohmann::json> Platform::secret_rotate(reconcile::TenantSecret kind,
                                                     const std::string& tenant,
                                                     const std::string& reason,
                                                     const Actor& actor) {
  std::lock_guard lock(changes_);
  const std::string kind_name(reconcile::to_string(kind));
  nlohmann::json detail = {{"kind", kind_name}};
  if (!reason.empty()) detail["reason"] = reason;
  std::vector<std::string> names;
  if (!tenant.empty()) {
    names.push_back(tenant);
  } else {
    BALLAST_ASSIGN_OR_RETURN(auto all, catalog_->tenants().list());
    for (const auto& t : all) names.push_back(t.name);
  }
  nlohmann::json rotated = nlohmann::json::array();
  for (const auto& name : names) {
    const std::string target = "tenant/" + name + "/" + kind_name;
    auto done = require_runtime().and_then([&] { return ops_->rotate_secret(name, kind); });
    nlohmann::json entry = {{"tenant", name}};
    if (done.has_value()) {
      entry["restarted_app"] = done->restarted_app;
      entry["unavailable_ms"] = done->unavailable.count();
    }
    BALLAST_TRY(audit(actor, "secret.rotate", target,
                      done.has_value() ? core::ok() : core::Status(done.error()), detail));
    if (!done.has_value()) {
      if (rotated.empty()) return std::move(done).error();
      return std::move(done).error().with_hint(
          fmt::format("{} tenant(s) before '{}' were rotated; run the command again to finish "
                      "the others.",
                      rotated.size(), name));
    }
    rotated.push_back(entry);
  }
  return nlohmann::json{{"kind", kind_name}, {"tenants", rotated}};
}

}  // namespace ballast::app
