// Second factors of token holders: TOTP enrolment (the secret sealed in the catalog),
// confirmation with a first code, and verification for privileged actions, each code accepted
// once. Thread-safe.
#pragma once

#include <string>

#include "catalog/second_factor_store.h"
#include "catalog/secret_store.h"
#include "core/clock.h"
#include "core/secret.h"

namespace ballast::security {

// The HTTP header that carries the code.
inline constexpr std::string_view kSecondFactorHeader = "X-Ballast-TOTP";

struct Enrolment {
  core::Secret secret_base32;  // for typing into an authenticator app
  core::Secret uri;            // otpauth://totp/…, for a QR code
};

class SecondFactorService final {
 public:
  SecondFactorService(catalog::SecondFactorStore& store, catalog::SecretStore& secrets,
                      const core::Clock& clock, std::string issuer);

  // Starts (or restarts) an enrolment of `holder` ("token:<id>"); it protects nothing until
  // confirmed. `account` labels it in the authenticator app.
  core::Result<Enrolment> enroll(const std::string& holder, std::string_view account);
  // Confirms the enrolment with a first valid code; kSecondFactorRequired when it is wrong,
  // kNotFound without an enrolment.
  core::Status confirm(const std::string& holder, std::string_view code);
  // True when `holder` has a confirmed enrolment.
  core::Result<bool> is_enrolled(const std::string& holder);
  // ok when `code` is valid now (±30 s) for the holder's confirmed TOTP and newer than every
  // code it used before; kSecondFactorRequired otherwise (no enrolment, wrong, replayed).
  core::Status verify(const std::string& holder, std::string_view code);
  // Forgets the holder's second factor (a lost phone, a revoked token).
  core::Status remove(const std::string& holder);

 private:
  // The time step of a valid `code` for `holder`, consuming it.
  core::Status use_code(const std::string& holder, std::string_view code);

  catalog::SecondFactorStore& store_;
  catalog::SecretStore& secrets_;
  const core::Clock& clock_;
  std::string issuer_;
};

}  // namespace ballast::security
