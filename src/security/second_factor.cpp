#include "security/second_factor.h"

#include "security/totp.h"

namespace ballast::security {
namespace {

constexpr std::string_view kSecretName = "totp";

std::string scope_of(const std::string& holder) { return "holder/" + holder; }

core::Error not_enrolled(const std::string& holder) {
  return core::make_error(core::ErrorCode::kSecondFactorRequired,
                          "'{}' has no confirmed second factor", holder)
      .with_hint(
          "Enrol with 'ballast token totp enroll', then confirm with 'ballast token totp "
          "confirm CODE'.");
}

}  // namespace

SecondFactorService::SecondFactorService(catalog::SecondFactorStore& store,
                                         catalog::SecretStore& secrets, const core::Clock& clock,
                                         std::string issuer)
    : store_(store), secrets_(secrets), clock_(clock), issuer_(std::move(issuer)) {}

core::Result<Enrolment> SecondFactorService::enroll(const std::string& holder,
                                                    std::string_view account) {
  const core::Secret secret = totp::generate_secret();
  BALLAST_TRY(secrets_.put(scope_of(holder), kSecretName, secret));
  BALLAST_TRY(store_.enroll(holder, clock_.now()));
  return Enrolment{totp::base32(secret), totp::uri(secret, issuer_, account)};
}

core::Status SecondFactorService::use_code(const std::string& holder, std::string_view code) {
  BALLAST_ASSIGN_OR_RETURN(const core::Secret secret, secrets_.get(scope_of(holder), kSecretName));
  const auto step = totp::match(secret, code, clock_.now());
  if (!step) {
    return core::Error(core::ErrorCode::kSecondFactorRequired, "the TOTP code is not valid")
        .with_hint("Give the current code of your authenticator app; check the host's clock.");
  }
  BALLAST_ASSIGN_OR_RETURN(const bool fresh, store_.use_step(holder, *step));
  if (!fresh) {
    return core::Error(core::ErrorCode::kSecondFactorRequired, "the TOTP code was already used")
        .with_hint("Each code works once: wait for the next one (every 30 seconds).");
  }
  return core::ok();
}

core::Status SecondFactorService::confirm(const std::string& holder, std::string_view code) {
  BALLAST_ASSIGN_OR_RETURN(auto record, store_.find(holder));
  if (!record) {
    return core::make_error(core::ErrorCode::kNotFound, "'{}' has no enrolment to confirm", holder)
        .with_hint("Start one with 'ballast token totp enroll'.");
  }
  BALLAST_TRY(use_code(holder, code));
  return store_.confirm(holder, clock_.now());
}

core::Result<bool> SecondFactorService::is_enrolled(const std::string& holder) {
  BALLAST_ASSIGN_OR_RETURN(auto record, store_.find(holder));
  return record.has_value() && record->is_confirmed();
}

core::Status SecondFactorService::verify(const std::string& holder, std::string_view code) {
  BALLAST_ASSIGN_OR_RETURN(const bool enrolled, is_enrolled(holder));
  if (!enrolled) return not_enrolled(holder);
  return use_code(holder, code);
}

core::Status SecondFactorService::remove(const std::string& holder) {
  BALLAST_TRY(store_.remove(holder));
  return secrets_.remove_scope(scope_of(holder));
}

}  // namespace ballast::security
