// Kubernetes names derived from spec names, fitted to the API server's length and charset rules.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ballast::runtime::kubernetes::names {

inline constexpr std::size_t kLabelMax = 63;    // DNS-1123 / DNS-1035 label
inline constexpr std::size_t kCronJobMax = 52;  // the Job name gets an 11-character suffix

// `base-suffix` (or `base` when suffix is empty) when it fits in `max_length`. Otherwise `base`
// is cut and a 6-character hash of the full name is inserted before the suffix, so two long
// names stay distinct and the same input always gives the same name.
std::string fit(std::string_view base, std::string_view suffix, std::size_t max_length = kLabelMax);

// A Service name (DNS-1035 label): as fit(), and starting with a letter ("t" is prepended to a
// name that starts with a digit).
std::string service(std::string_view base, std::string_view suffix);

// The PostgreSQL role and database of a tenant: its name (the spec: "also its database and Redis
// key prefix"). One function so every manifest agrees.
std::string database(std::string_view tenant);

}  // namespace ballast::runtime::kubernetes::names
