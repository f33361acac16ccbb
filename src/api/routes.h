// The one route table of the REST API.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "api/route.h"
#include "app/platform.h"
#include "security/access_control.h"

namespace ballast::api {

struct RouteContext {
  app::Platform& platform;
  std::function<void()> request_shutdown;  // asks the daemon to stop
  std::string version;
  security::AccessControl* access = nullptr;  // tokens and second factors (the daemon's)
};

std::vector<Route> build_routes(RouteContext context);
// Parts of the table, by area.
std::vector<Route> tenant_routes(const RouteContext& context);
std::vector<Route> backup_routes(const RouteContext& context);
std::vector<Route> security_routes(const RouteContext& context);
std::vector<Route> continuity_routes(const RouteContext& context);
// Listing, approving and rejecting parked changes; they run routes of `table`.
std::vector<Route> change_routes(const RouteContext& context,
                                 std::shared_ptr<const std::vector<Route>> table);

// Parks an admitted request as a pending change for a second approver (the gate's `park`):
// audited as change.request; answers 202 with the change and what to run next.
core::Result<Response> park_change(app::Platform& platform, const Route& route,
                                   const Request& request);

}  // namespace ballast::api
