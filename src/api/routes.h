// The one route table of the REST API.
#pragma once

#include <functional>
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

}  // namespace ballast::api
