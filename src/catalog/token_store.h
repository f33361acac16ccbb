// TokenStore: API tokens as records — id, name, role, tenant scope, an argon2id hash of the
// secret (never the secret), creation, expiry, revocation and last use.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog/sqlite.h"
#include "core/clock.h"

namespace ballast::catalog {

struct TokenRecord {
  std::string id;                    // public: 12 hex digits; the "<id>" of "bt_<id>_<secret>"
  std::string name;                  // what it is for ("ci", "alice laptop", "bootstrap")
  std::string role;                  // security::Role as text ("platform-admin", …)
  std::vector<std::string> tenants;  // tenant-admin: the tenants it may act on
  std::string hash;                  // argon2id encoded hash of the secret
  core::SystemTime created_at{};
  std::string created_by;  // the actor that created it ("token:<id>", "daemon")
  std::optional<core::SystemTime> expires_at;
  std::optional<core::SystemTime> revoked_at;
  std::string revoked_by;
  std::optional<core::SystemTime> last_used_at;

  [[nodiscard]] bool is_revoked() const { return revoked_at.has_value(); }
  [[nodiscard]] bool is_expired(core::SystemTime now) const {
    return expires_at.has_value() && *expires_at <= now;
  }
};

// Thread-safe (through the shared Database).
class TokenStore final {
 public:
  explicit TokenStore(Database& db) : db_(db) {}

  // kAlreadyExists when the id is taken.
  core::Status insert(const TokenRecord& record);
  core::Result<std::optional<TokenRecord>> find(std::string_view id);
  // Newest first; revoked tokens only when asked.
  core::Result<std::vector<TokenRecord>> list(bool include_revoked);
  // kNotFound when absent; kConflict when already revoked.
  core::Status revoke(std::string_view id, std::string_view by, core::SystemTime at);
  core::Status touch(std::string_view id, core::SystemTime at);

 private:
  Database& db_;
};

}  // namespace ballast::catalog
