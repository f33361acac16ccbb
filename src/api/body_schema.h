// Validation of request bodies against each route's JSON Schema (valijson), with precise
// messages naming the field.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace ballast::api {

// kInvalidArgument naming every failing field ("body.plan: …") when `body` does not match.
core::Status validate_body(const nlohmann::json& schema, const nlohmann::json& body);

}  // namespace ballast::api
