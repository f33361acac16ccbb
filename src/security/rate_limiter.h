// Per-key token buckets (one per API token): `burst` requests at once, refilled at
// `per_second`. Time comes from the injected clock. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"

namespace ballast::security {

struct RateLimit {
  double per_second = 50;
  double burst = 100;
};

struct RateDecision {
  bool is_allowed = true;
  std::chrono::seconds retry_after{0};  // when refused: until one request is available again
};

class RateLimiter final {
 public:
  RateLimiter(const core::Clock& clock, RateLimit limit, std::size_t max_keys = 10000);

  // Takes one request from `key`'s bucket when there is one.
  RateDecision take(const std::string& key);

 private:
  struct Bucket {
    double tokens = 0;
    core::SteadyTime updated{};
  };
  double refill(Bucket& bucket, core::SteadyTime now) const;
  // Forgets buckets that are full again: they behave exactly like new ones.
  void prune(core::SteadyTime now);

  const core::Clock& clock_;
  RateLimit limit_;
  std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace ballast::security
