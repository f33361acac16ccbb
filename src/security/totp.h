// TOTP (RFC 6238) over liboath: secrets, otpauth:// URIs, codes and their validation with a
// window of ±1 time step. Pure functions of the secret and the time; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "core/secret.h"

namespace ballast::security::totp {

inline constexpr unsigned kDigits = 6;
inline constexpr unsigned kStepSeconds = 30;
inline constexpr std::size_t kSecretBytes = 20;  // 160 bits, as RFC 4226 recommends

// A fresh random secret (raw bytes).
core::Secret generate_secret();
// RFC 4648 base32 without padding, as authenticator apps take it.
core::Secret base32(const core::Secret& secret);
// The raw secret of base32 text (as shown at enrolment); kInvalidArgument when malformed.
core::Result<core::Secret> from_base32(std::string_view text);
// "otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30".
core::Secret uri(const core::Secret& secret, std::string_view issuer, std::string_view account);
// The code for the time step containing `at`.
core::Result<std::string> code_at(const core::Secret& secret, core::SystemTime at);
// The time step (counter) `code` belongs to when it is valid at `now` ±1 step; nullopt when
// it is not (wrong, malformed or too old).
std::optional<std::int64_t> match(const core::Secret& secret, std::string_view code,
                                  core::SystemTime now);

}  // namespace ballast::security::totp
