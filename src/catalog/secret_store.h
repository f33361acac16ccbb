// SecretStore: every generated secret, sealed under the master key. Plaintext leaves only as
// core::Secret; never logged, never in an error message.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "catalog/sqlite.h"
#include "core/clock.h"
#include "core/crypto.h"

namespace ballast::catalog {

class SecretStore final {
 public:
  SecretStore(Database& db, const core::Clock& clock, core::SecretBox box);

  // scope: "tenant/acme", "pool/main", "platform"; name: "db_password", "redis_password"…
  core::Status put(std::string_view scope, std::string_view name, const core::Secret& value);
  // kNotFound when absent; kCorrupt when it fails authentication (wrong master key, tampering).
  core::Result<core::Secret> get(std::string_view scope, std::string_view name);
  // The stored secret, or a new one from `generate`, stored first.
  core::Result<core::Secret> get_or_create(std::string_view scope, std::string_view name,
                                           const std::function<core::Secret()>& generate);
  core::Result<std::vector<std::string>> names(std::string_view scope);
  // Forgets one secret; ok when it is absent.
  core::Status remove(std::string_view scope, std::string_view name);
  core::Status remove_scope(std::string_view scope);
  // Re-seals every secret under `next` in one transaction; the caller then replaces the key file.
  core::Status reseal_all(const core::SecretBox& next, const std::string& next_key_id);
  // Re-seals every secret under `next` in one transaction, then seals and opens with `next`
  // (catalog/master_key.h replaces the key file around this). Returns how many were re-sealed.
  core::Result<std::int64_t> rotate_key(core::SecretBox next);
  [[nodiscard]] const std::string& key_id() const { return key_id_; }

 private:
  Database& db_;
  const core::Clock& clock_;
  core::SecretBox box_;
  std::string key_id_;
};

}  // namespace ballast::catalog
