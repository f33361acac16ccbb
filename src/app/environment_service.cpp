// Platform: staging and development copies of production tenants.
#include <fmt/format.h>

#include "app/platform.h"

namespace ballast::app {

core::Result<nlohmann::json> Platform::environment_create(const std::string& tenant,
                                                          const std::string& name,
                                                          spec::EnvironmentKind kind,
                                                          const std::vector<std::string>& domains,
                                                          const Actor& actor) {
  std::lock_guard lock(changes_);
  BALLAST_TRY(require_runtime());
  const std::string copy = tenant + "-" + name;
  nlohmann::json detail = {{"environment", name}, {"kind", spec::to_string(kind)}};
  auto done = [&]() -> core::Result<nlohmann::json> {
    BALLAST_TRY(ops_->create_environment(tenant, name, kind, domains));
    BALLAST_ASSIGN_OR_RETURN(auto after, catalog_->tenants().get(copy));
    auto json = tenant_json(after);
    json["neutralized"] = app_->is_configured();
    return json;
  }();
  BALLAST_TRY(audit(actor, "environment.create", "tenant/" + copy,
                    done.has_value() ? core::ok() : core::Status(done.error()), detail));
  return done;
}

}  // namespace ballast::app
