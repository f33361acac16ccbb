#include "api/body_schema.h"

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "core/text.h"

namespace ballast::api {

core::Status validate_body(const nlohmann::json& schema, const nlohmann::json& body) {
  if (schema.is_null()) return core::ok();
  valijson::Schema compiled;
  valijson::SchemaParser parser;
  valijson::adapters::NlohmannJsonAdapter schema_adapter(schema);
  parser.populateSchema(schema_adapter, compiled);
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter body_adapter(body);
  if (validator.validate(compiled, body_adapter, &results)) return core::ok();
  std::vector<std::string> problems;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    std::string where = "body";
    for (const auto& part : error.context) {
      if (part != "<root>") where += part.front() == '[' ? part : "." + part;
    }
    // valijson reports the failing keyword then its parents; the first (deepest) is precise.
    const std::string line = where + ": " + error.description;
    if (std::find(problems.begin(), problems.end(), line) == problems.end()) {
      problems.push_back(line);
    }
  }
  if (problems.size() > 5) problems.resize(5);
  return core::Error(core::ErrorCode::kInvalidArgument,
                     "request body is invalid: " + core::join(problems, "; "))
      .with_hint("See the request schema of this route in /api/v1/openapi.json.");
}

}  // namespace ballast::api
