// `ballast spec explain [path]`: the documentation of every spec key, from the schema tables.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace ballast::spec {

// The object or field at `path` ("", "tenants", "tenants.continuity.billing.rpo"; list items
// need no index). kNotFound with "did you mean" for an unknown key.
core::Result<nlohmann::json> explain(std::string_view path);

// The same as text for a terminal.
std::string explain_text(const nlohmann::json& explained);

}  // namespace ballast::spec
