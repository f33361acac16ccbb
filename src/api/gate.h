// Admission of an API request, in this order: authentication (401), per-token rate limit
// (429), permission and tenant scope (403), body (400), second factor (403). Refusals of an
// authenticated caller's changes are handed to `on_refusal` for the audit trail.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "api/route.h"
#include "security/rate_limiter.h"

namespace ballast::api {

// Maps a bearer token to a principal; kUnauthenticated when it is not valid.
using Authenticator = std::function<core::Result<security::Principal>(std::string_view token)>;

// A refused request worth auditing: an authenticated caller refused a change, or any refusal
// of a privileged route's second factor.
struct Refusal {
  const Route& route;
  const security::Principal& principal;
  std::string path;
  std::string tenant;  // "" when the route concerns the platform
  std::string request_id;
  const core::Error& error;
};

struct Gate {
  Authenticator authenticate;
  // ok when `code` is a valid, unused TOTP code of the principal; kSecondFactorRequired else.
  std::function<core::Status(const security::Principal&, std::string_view code)>
      verify_second_factor;
  // Takes one request from the bucket of `key` ("token:<id>"); null: no rate limit.
  std::function<security::RateDecision(const std::string& key)> take;
  std::function<void(const Refusal&)> on_refusal;
  // Whether the spec demands a second approver for `action` (security.approvals); null: never.
  std::function<bool(std::string_view action)> needs_approval;
  // Parks an admitted request for a second approver instead of running it (a 202 answer).
  std::function<core::Result<Response>(const Route&, const Request&)> park;
  // The production tenant `tenant` is a copy of, empty when it is none (or unknown): a
  // tenant-admin's scope covers its tenants' copies. Null: copies are scoped by name only.
  std::function<std::string(const std::string& tenant)> parent_of;
};

// What the transport hands over: the matched route's parameters, the raw header values and
// the raw body.
struct RawRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> params;
  std::multimap<std::string, std::string> query;
  std::string authorization;  // the Authorization header
  std::string second_factor;  // the X-Ballast-TOTP header
  std::string body;
  std::string request_id;
};

// The request to hand to the route's handler, or why it is refused.
core::Result<Request> admit(const Gate& gate, const Route& route, RawRequest raw);

// Whether an admitted request must wait for a second approver rather than run now.
bool needs_approval(const Gate& gate, const Route& route, const Request& request);

// Runs an admitted request: its route's handler, or parks it (see needs_approval).
core::Result<Response> dispatch(const Gate& gate, const Route& route, const Request& request);

}  // namespace ballast::api
