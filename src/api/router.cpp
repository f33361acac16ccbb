#include "api/router.h"

#include <algorithm>

#include <fmt/format.h>

#include "api/body_schema.h"
#include "core/text.h"

namespace ballast::api {
namespace {

bool is_allowed(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// Nesting depth of JSON text, counting brackets outside strings; stops early past `limit`.
std::size_t json_depth(std::string_view text, std::size_t limit) {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size() && deepest <= limit; ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

std::string printable(std::string_view text, std::size_t max_length) {
  std::string out;
  for (const char c : text.substr(0, max_length)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
  }
  if (text.size() > max_length) out += "…";
  return out;
}

Router::Router(const std::vector<Route>& routes) {
  compiled_.reserve(routes.size());
  for (const auto& route : routes) {
    std::vector<std::string> names;
    std::regex regex(route_regex(route.pattern, names));
    compiled_.push_back(Compiled{&route, std::move(regex), std::move(names)});
  }
}

core::Result<Router::Match> Router::match(std::string_view method, std::string_view path) const {
  const std::string text(path);
  for (const auto& c : compiled_) {
    if (c.route->method != method) continue;
    std::smatch groups;
    if (!std::regex_match(text, groups, c.regex)) continue;
    Match found{c.route, {}};
    for (std::size_t i = 0; i < c.names.size() && i + 1 < groups.size(); ++i) {
      const std::string value = groups[i + 1].str();
      BALLAST_TRY(check_path_parameter(c.names[i], value, c.names[i] == c.route->tenant_param));
      found.params[c.names[i]] = value;
    }
    return found;
  }
  return core::make_error(core::ErrorCode::kNotFound, "no route for {} '{}'", printable(method),
                          printable(path, 200))
      .with_hint("See the routes in /api/v1/openapi.json.");
}

core::Status check_path_parameter(std::string_view name, std::string_view value, bool is_tenant) {
  const bool shaped = !value.empty() && value.size() <= kMaxPathParameterLength &&
                      value.front() != '.' && value.find("..") == std::string_view::npos &&
                      std::all_of(value.begin(), value.end(), is_allowed);
  if (!shaped || (is_tenant && !core::is_dns_label(value))) {
    return core::make_error(core::ErrorCode::kInvalidArgument,
                            "path parameter '{}' ('{}') is not "
                            "a valid name",
                            name, printable(value))
        .with_hint(is_tenant ? "Tenant names are DNS labels: 1–63 of a-z, 0-9 and '-'."
                             : "Names are made of letters, digits, '.', '_' and '-'.");
  }
  return core::ok();
}

core::Result<nlohmann::json> parse_body(const Route& route, std::string_view text) {
  nlohmann::json body;
  if (!text.empty()) {
    if (json_depth(text, kMaxJsonDepth) > kMaxJsonDepth) {
      return core::make_error(core::ErrorCode::kInvalidArgument,
                              "request body nests deeper than {} levels", kMaxJsonDepth);
    }
    body = nlohmann::json::parse(text, nullptr, false);
    if (body.is_discarded()) {
      return core::Error(core::ErrorCode::kInvalidArgument, "request body is not valid JSON")
          .with_hint("Send a JSON object with 'Content-Type: application/json'.");
    }
  }
  if (route.request_schema.is_null()) {
    if (!body.is_null() && !(body.is_object() && body.empty())) {
      return core::make_error(core::ErrorCode::kInvalidArgument, "'{}' takes no request body",
                              route.operation_id)
          .with_hint("Send the request without a body.");
    }
    return body;
  }
  BALLAST_TRY(
      validate_body(route.request_schema, body.is_null() ? nlohmann::json::object() : body));
  return body;
}

}  // namespace ballast::api
