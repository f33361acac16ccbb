// API tokens: "bt_<id>_<secret>" shown once at creation, stored only as argon2id hashes,
// looked up by id and verified in constant time; listed, revoked, expired. Thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/token_store.h"
#include "core/clock.h"
#include "core/secret.h"
#include "security/access.h"
#include "security/token_hash.h"

namespace ballast::security {

inline constexpr std::string_view kTokenPrefix = "bt_";
inline constexpr std::size_t kTokenIdHexDigits = 12;

struct PresentedToken {
  std::string id;
  core::Secret secret;
};

// Splits "bt_<id>_<secret>"; nullopt when the shape is wrong.
std::optional<PresentedToken> parse_token(std::string_view text);

struct TokenRequest {
  std::string name;
  Role role = Role::kAuditor;
  std::vector<std::string> tenants;                // tenant-admin only, and required there
  std::optional<std::chrono::seconds> expires_in;  // none: never expires
};

struct CreatedToken {
  catalog::TokenRecord record;
  core::Secret token;  // the whole "bt_<id>_<secret>": shown once, never stored
};

// A token as shown by the API and the CLI: everything but the hash.
nlohmann::json token_json(const catalog::TokenRecord& record, core::SystemTime now);

class TokenService final {
 public:
  TokenService(catalog::TokenStore& store, const core::Clock& clock, HashCost cost = {});

  // kInvalidArgument for a bad name, a tenant scope on a role that has none, or a tenant-admin
  // without tenants.
  core::Result<CreatedToken> create(const TokenRequest& request, std::string_view created_by);
  // The principal of a known, unrevoked, unexpired token whose secret matches; else
  // kUnauthenticated (revocation and expiry are told only to whoever holds the secret).
  core::Result<Principal> authenticate(std::string_view presented);
  core::Result<std::vector<catalog::TokenRecord>> list(bool include_revoked);
  // kNotFound when absent.
  core::Result<catalog::TokenRecord> get(std::string_view id);
  // kNotFound, or kConflict when already revoked.
  core::Status revoke(std::string_view id, std::string_view by);
  // Keeps the state directory's `file` when it holds a valid platform-admin token; otherwise
  // issues a "bootstrap" platform-admin token and writes it there (0600). The new record, or
  // nullopt when the file was kept.
  core::Result<std::optional<catalog::TokenRecord>> ensure_bootstrap(
      const std::filesystem::path& file);

 private:
  // Constant-time check of the secret; argon2id once, then a keyed hash cached per id.
  bool secret_matches(const catalog::TokenRecord& record, const core::Secret& secret);
  void note_use(const std::string& id);

  catalog::TokenStore& store_;
  const core::Clock& clock_;
  HashCost cost_;
  std::string cache_key_;  // random per process: cached digests are useless elsewhere
  std::mutex mutex_;
  std::map<std::string, std::string> verified_;  // id → keyed digest of the verified secret
  std::map<std::string, core::SteadyTime> last_touch_;
};

}  // namespace ballast::security
