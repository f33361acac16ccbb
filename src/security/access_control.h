// The daemon's security services over one catalog: API tokens, second factors and the
// per-token rate limiter. Built once by the daemon; thread-safe.
#pragma once

#include <string>

#include "catalog/catalog.h"
#include "security/rate_limiter.h"
#include "security/second_factor.h"
#include "security/token_service.h"

namespace ballast::security {

struct AccessOptions {
  std::string issuer = "Ballast";  // names the TOTP entry in authenticator apps
  HashCost hash_cost{};
  RateLimit rate_limit{};
};

class AccessControl final {
 public:
  AccessControl(catalog::Catalog& catalog, const core::Clock& clock, AccessOptions options = {})
      : tokens_(catalog.tokens(), clock, options.hash_cost),
        second_factors_(catalog.second_factors(), catalog.secrets(), clock, options.issuer),
        limiter_(clock, options.rate_limit) {}

  TokenService& tokens() { return tokens_; }
  SecondFactorService& second_factors() { return second_factors_; }
  RateLimiter& limiter() { return limiter_; }

 private:
  TokenService tokens_;
  SecondFactorService second_factors_;
  RateLimiter limiter_;
};

}  // namespace ballast::security
