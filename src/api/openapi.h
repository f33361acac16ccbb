// The OpenAPI 3 document, generated from the route table so it cannot drift from what is served.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "api/route.h"

namespace ballast::api {

nlohmann::json openapi(const std::vector<Route>& routes, std::string_view version);

}  // namespace ballast::api
