// SecondFactorStore: who enrolled a second factor (TOTP) and the newest time step each has
// used, so a code is accepted once. The TOTP secret itself is sealed in the SecretStore.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "catalog/sqlite.h"
#include "core/clock.h"

namespace ballast::catalog {

struct SecondFactorRecord {
  std::string holder;  // "token:<id>" (later: "oidc:<issuer>#<subject>")
  std::string kind = "totp";
  core::SystemTime enrolled_at{};
  std::optional<core::SystemTime> confirmed_at;  // unset: enrolled, not yet proven with a code
  std::int64_t last_step = -1;                   // the newest TOTP step accepted
  [[nodiscard]] bool is_confirmed() const { return confirmed_at.has_value(); }
};

// Thread-safe (through the shared Database).
class SecondFactorStore final {
 public:
  explicit SecondFactorStore(Database& db) : db_(db) {}

  core::Result<std::optional<SecondFactorRecord>> find(std::string_view holder);
  // Starts (or restarts) an unconfirmed enrolment; forgets the steps used before.
  core::Status enroll(std::string_view holder, core::SystemTime at);
  // Records that `step` was used: true when it is newer than every step used before (the
  // code is fresh), false when it was replayed. Atomic: two racing requests cannot both win.
  core::Result<bool> use_step(std::string_view holder, std::int64_t step);
  core::Status confirm(std::string_view holder, core::SystemTime at);
  core::Status remove(std::string_view holder);

 private:
  Database& db_;
};

}  // namespace ballast::catalog
