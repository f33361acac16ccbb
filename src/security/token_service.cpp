#include "security/token_service.h"

#include <algorithm>

#include "core/crypto.h"
#include "core/file.h"
#include "core/text.h"

namespace ballast::security {
namespace {

constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kMaxNameLength = 64;
constexpr auto kTouchInterval = std::chrono::seconds(60);

core::Error not_valid() {
  return core::Error(core::ErrorCode::kUnauthenticated, "the bearer token is not valid")
      .with_hint("Use a token from 'ballast token create', or the state directory's api.token.");
}

bool is_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

core::Status check_request(const TokenRequest& request) {
  const auto printable = [](char c) { return c >= 0x20 && c != 0x7f; };
  if (request.name.empty() || request.name.size() > kMaxNameLength ||
      !std::all_of(request.name.begin(), request.name.end(), printable)) {
    return core::Error(core::ErrorCode::kInvalidArgument,
                       "token name is empty, too long or "
                       "has control characters")
        .with_hint("Give a short printable name (at most 64 characters), e.g. --name ci.");
  }
  const bool scoped = request.role == Role::kTenantAdmin;
  if (scoped && request.tenants.empty()) {
    return core::Error(core::ErrorCode::kInvalidArgument, "a tenant-admin token needs tenants")
        .with_hint("Name the tenants it may act on with --tenant (repeatable).");
  }
  if (!scoped && !request.tenants.empty()) {
    return core::make_error(core::ErrorCode::kInvalidArgument, "role '{}' is not scoped to tenants",
                            to_string(request.role))
        .with_hint("Only tenant-admin tokens take --tenant.");
  }
  for (const auto& tenant : request.tenants) {
    if (!core::is_dns_label(tenant)) {
      return core::Error(core::ErrorCode::kInvalidArgument, "tenant name is not a DNS label")
          .with_hint("Tenant names are 1–63 of a-z, 0-9 and '-'.");
    }
  }
  if (request.expires_in && request.expires_in->count() <= 0) {
    return core::Error(core::ErrorCode::kInvalidArgument, "expiry must be in the future");
  }
  return core::ok();
}

std::string state_of(const catalog::TokenRecord& r, core::SystemTime now) {
  if (r.is_revoked()) return "revoked";
  if (r.is_expired(now)) return "expired";
  return "active";
}

nlohmann::json optional_time(const std::optional<core::SystemTime>& time) {
  return time ? nlohmann::json(core::format_rfc3339(*time)) : nlohmann::json(nullptr);
}

}  // namespace

std::optional<PresentedToken> parse_token(std::string_view text) {
  if (text.substr(0, kTokenPrefix.size()) != kTokenPrefix) return std::nullopt;
  text.remove_prefix(kTokenPrefix.size());
  if (text.size() < kTokenIdHexDigits + 2 || text[kTokenIdHexDigits] != '_') return std::nullopt;
  const std::string_view id = text.substr(0, kTokenIdHexDigits);
  const std::string_view secret = text.substr(kTokenIdHexDigits + 1);
  if (!is_hex(id) || secret.size() > 128) return std::nullopt;
  return PresentedToken{std::string(id), core::Secret(std::string(secret))};
}

nlohmann::json token_json(const catalog::TokenRecord& r, core::SystemTime now) {
  return {{"id", r.id},
          {"name", r.name},
          {"role", r.role},
          {"tenants", r.tenants},
          {"state", state_of(r, now)},
          {"created_at", core::format_rfc3339(r.created_at)},
          {"created_by", r.created_by},
          {"expires_at", optional_time(r.expires_at)},
          {"revoked_at", optional_time(r.revoked_at)},
          {"revoked_by", r.revoked_by},
          {"last_used_at", optional_time(r.last_used_at)}};
}

TokenService::TokenService(catalog::TokenStore& store, const core::Clock& clock, HashCost cost)
    : store_(store), clock_(clock), cost_(cost), cache_key_(core::random_bytes(32)) {}

core::Result<CreatedToken> TokenService::create(const TokenRequest& request,
                                                std::string_view created_by) {
  BALLAST_TRY(check_request(request));
  catalog::TokenRecord record;
  record.id = core::hex_encode(core::random_bytes(kTokenIdHexDigits / 2));
  record.name = request.name;
  record.role = std::string(to_string(request.role));
  record.tenants = request.tenants;
  record.created_at = clock_.now();
  record.created_by = std::string(created_by);
  if (request.expires_in) record.expires_at = record.created_at + *request.expires_in;
  const core::Secret secret = core::random_token(kSecretBytes);
  BALLAST_ASSIGN_OR_RETURN(record.hash, hash_secret(secret, cost_));
  BALLAST_TRY(store_.insert(record));
  core::Secret token(std::string(kTokenPrefix) + record.id + "_" + secret.reveal());
  return CreatedToken{std::move(record), std::move(token)};
}

bool TokenService::secret_matches(const catalog::TokenRecord& record, const core::Secret& secret) {
  const std::string digest = core::sha256_hex(cache_key_ + record.id + "\n" + secret.reveal());
  {
    std::lock_guard lock(mutex_);
    auto it = verified_.find(record.id);
    if (it != verified_.end()) return core::equal_constant_time(it->second, digest);
  }
  if (!verify_secret(secret, record.hash)) return false;
  std::lock_guard lock(mutex_);
  verified_[record.id] = digest;
  return true;
}

void TokenService::note_use(const std::string& id) {
  const auto now = clock_.steady_now();
  {
    std::lock_guard lock(mutex_);
    auto it = last_touch_.find(id);
    if (it != last_touch_.end() && now - it->second < kTouchInterval) return;
    last_touch_[id] = now;
  }
  (void)store_.touch(id, clock_.now());  // best effort: a lost "last used" is harmless
}

core::Result<Principal> TokenService::authenticate(std::string_view presented) {
  auto parsed = parse_token(presented);
  if (!parsed) return not_valid();
  BALLAST_ASSIGN_OR_RETURN(auto record, store_.find(parsed->id));
  if (!record || !secret_matches(*record, parsed->secret)) return not_valid();
  if (record->is_revoked()) {
    return core::make_error(core::ErrorCode::kUnauthenticated, "token '{}' was revoked at {}",
                            record->id, core::format_rfc3339(*record->revoked_at))
        .with_hint("Ask a platform admin for a new token.");
  }
  if (record->is_expired(clock_.now())) {
    return core::make_error(core::ErrorCode::kUnauthenticated, "token '{}' expired at {}",
                            record->id, core::format_rfc3339(*record->expires_at))
        .with_hint("Ask a platform admin for a new token.");
  }
  const auto role = role_from(record->role);
  if (!role) {
    return core::make_error(core::ErrorCode::kCorrupt, "token '{}' has an unknown role",
                            record->id);
  }
  note_use(record->id);
  return Principal{"token:" + record->id, *role, record->tenants};
}

core::Result<std::vector<catalog::TokenRecord>> TokenService::list(bool include_revoked) {
  return store_.list(include_revoked);
}

core::Result<catalog::TokenRecord> TokenService::get(std::string_view id) {
  BALLAST_ASSIGN_OR_RETURN(auto record, store_.find(id));
  if (!record) {
    return core::make_error(core::ErrorCode::kNotFound, "token '{}' does not exist", id)
        .with_hint("List tokens with 'ballast token list'.");
  }
  return std::move(*record);
}

core::Status TokenService::revoke(std::string_view id, std::string_view by) {
  return store_.revoke(id, by, clock_.now());
}

core::Result<std::optional<catalog::TokenRecord>> TokenService::ensure_bootstrap(
    const std::filesystem::path& file) {
  auto existing = core::read_file(file, 4096);
  if (existing.has_value()) {
    auto principal = authenticate(core::trim(*existing));
    if (principal.has_value() && principal->role == Role::kPlatformAdmin) {
      return std::optional<catalog::TokenRecord>();
    }
  }
  TokenRequest request{"bootstrap", Role::kPlatformAdmin, {}, std::nullopt};
  BALLAST_ASSIGN_OR_RETURN(auto created, create(request, "daemon"));
  BALLAST_TRY(core::write_file_atomic(file, created.token.reveal() + "\n", 0600));
  return std::optional<catalog::TokenRecord>(std::move(created.record));
}

}  // namespace ballast::security
