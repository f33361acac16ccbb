#include "security/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace ballast::security {

RateLimiter::RateLimiter(const core::Clock& clock, RateLimit limit, std::size_t max_keys)
    : clock_(clock), limit_(limit), max_keys_(max_keys) {}

double RateLimiter::refill(Bucket& bucket, core::SteadyTime now) const {
  const std::chrono::duration<double> elapsed = now - bucket.updated;
  bucket.tokens = std::min(limit_.burst, bucket.tokens + elapsed.count() * limit_.per_second);
  bucket.updated = now;
  return bucket.tokens;
}

void RateLimiter::prune(core::SteadyTime now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    if (refill(it->second, now) >= limit_.burst) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
}

RateDecision RateLimiter::take(const std::string& key) {
  const auto now = clock_.steady_now();
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) prune(now);
    it = buckets_.emplace(key, Bucket{limit_.burst, now}).first;
  }
  if (refill(it->second, now) >= 1.0) {
    it->second.tokens -= 1.0;
    return {};
  }
  const double wait = (1.0 - it->second.tokens) / limit_.per_second;
  return {false, std::chrono::seconds(static_cast<std::int64_t>(std::ceil(wait)))};
}

}  // namespace ballast::security
