// Route matching and request parsing, shared by the server and the fuzz target: finds the
// route of a method and decoded path, refuses hostile path parameters, parses and validates
// bodies against the route's JSON Schema.
#pragma once

#include <map>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "api/route.h"

namespace ballast::api {

inline constexpr std::size_t kMaxJsonDepth = 32;
inline constexpr std::size_t kMaxPathParameterLength = 253;

class Router final {
 public:
  // Keeps pointers into `routes`, which must outlive the router.
  explicit Router(const std::vector<Route>& routes);

  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string> params;
  };
  // kNotFound when no route has this method and path; kInvalidArgument when a path parameter
  // is hostile (see check_path_parameter).
  [[nodiscard]] core::Result<Match> match(std::string_view method, std::string_view path) const;

 private:
  struct Compiled {
    const Route* route;
    std::regex regex;
    std::vector<std::string> names;
  };
  std::vector<Compiled> compiled_;
};

// kInvalidArgument unless `value` is 1–253 of [A-Za-z0-9._-], does not start with '.' and has
// no "..": no traversal, no control characters (header injection), no quotes or ';' (SQL).
// The parameter named by a route's tenant_param must also be a DNS label.
core::Status check_path_parameter(std::string_view name, std::string_view value,
                                  bool is_tenant = false);

// The body as JSON (null when empty), checked against the route's schema (an empty body is
// checked as {}). kInvalidArgument for malformed JSON, nesting deeper than kMaxJsonDepth, or
// a schema violation naming every failing field; routes without a schema take no body.
core::Result<nlohmann::json> parse_body(const Route& route, std::string_view text);

// `text` shortened and with control characters escaped, for quoting in messages and logs.
std::string printable(std::string_view text, std::size_t max_length = 64);

}  // namespace ballast::api
