#include "api/access_gate.h"

#include "api/routes.h"
#include "core/log.h"

namespace ballast::api {

Gate access_gate(app::Platform& platform, security::AccessControl& access) {
  Gate gate;
  gate.authenticate = [&access](std::string_view token) {
    return access.tokens().authenticate(token);
  };
  gate.verify_second_factor = [&access](const security::Principal& principal,
                                        std::string_view code) {
    return access.second_factors().verify(principal.id, code);
  };
  gate.take = [&access](const std::string& key) { return access.limiter().take(key); };
  gate.on_refusal = [&platform](const Refusal& refusal) {
    const std::string target = refusal.tenant.empty() ? "platform" : "tenant/" + refusal.tenant;
    const nlohmann::json detail = {{"method", refusal.route.method},
                                   {"route", refusal.route.pattern},
                                   {"request_id", refusal.request_id}};
    auto audited = platform.audit(app::Actor{refusal.principal.id},
                                  "api." + std::string(refusal.route.operation_id), target,
                                  core::Status(refusal.error), detail);
    if (!audited.has_value()) {
      core::log::error("auditing a refused request failed",
                       {{"request_id", refusal.request_id}, {"error", audited.error().message()}});
    }
  };
  gate.needs_approval = [&platform](std::string_view action) {
    return platform.spec().security.needs_approval(action);
  };
  gate.park = [&platform](const Route& route, const Request& request) {
    return park_change(platform, route, request);
  };
  gate.parent_of = [&platform](const std::string& tenant) -> std::string {
    auto record = platform.catalog().tenants().find(tenant);
    if (!record.has_value() || !record->has_value()) return "";
    return (*record)->parent;
  };
  return gate;
}

}  // namespace ballast::api
