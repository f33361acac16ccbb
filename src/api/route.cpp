#include "api/route.h"

namespace ballast::api {

std::string Request::query_value(const std::string& key, std::string fallback) const {
  auto it = query.find(key);
  return it == query.end() ? std::move(fallback) : it->second;
}

Route&& Route::requires_second_factor() && {
  second_factor = {[](const Request&) { return true; }, "always"};
  return std::move(*this);
}

Route&& Route::requires_second_factor_when(std::function<bool(const Request&)> applies,
                                           std::string condition) && {
  second_factor = {std::move(applies), std::move(condition)};
  return std::move(*this);
}

Route&& Route::requires_approval(std::string_view action) && {
  approval = {action, nullptr, "always"};
  return std::move(*this);
}

Route&& Route::requires_approval_when(std::string_view action,
                                      std::function<bool(const Request&)> applies,
                                      std::string condition) && {
  approval = {action, std::move(applies), std::move(condition)};
  return std::move(*this);
}

Route&& Route::filtered_by_tenant() && {
  is_tenant_filtered = true;
  return std::move(*this);
}

std::string route_regex(std::string_view pattern, std::vector<std::string>& names) {
  std::string out = "^";
  std::size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == '{') {
      const std::size_t close = pattern.find('}', i);
      names.emplace_back(pattern.substr(i + 1, close - i - 1));
      out += "([^/]+)";
      i = close + 1;
      continue;
    }
    const char c = pattern[i++];
    if (c == '.' || c == '+' || c == '*' || c == '?' || c == '(' || c == ')' || c == '[' ||
        c == ']' || c == '^' || c == '$' || c == '|' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "$";
}

}  // namespace ballast::api
