#include "catalog/secret_store.h"

namespace ballast::catalog {

SecretStore::SecretStore(Database& db, const core::Clock& clock, core::SecretBox box)
    : db_(db), clock_(clock), box_(std::move(box)), key_id_(box_.key_id()) {}

core::Status SecretStore::put(std::string_view scope, std::string_view name,
                              const core::Secret& value) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(auto s, db_.prepare(R"sql(
      INSERT INTO secrets (scope, name, sealed, key_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
      ON CONFLICT (scope, name) DO UPDATE SET sealed = ?3, key_id = ?4, rotated_at = ?5)sql"));
  s.bind(1, scope).bind(2, name).bind_blob(3, box_.seal(value.reveal())).bind(4, key_id_);
  s.bind(5, core::format_rfc3339(clock_.now()));
  return s.run();
}

core::Result<core::Secret> SecretStore::get(std::string_view scope, std::string_view name) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(auto s,
                           db_.prepare("SELECT sealed FROM secrets WHERE scope = ? AND name = ?"));
  s.bind(1, scope).bind(2, name);
  BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
  if (!row) {
    return core::make_error(core::ErrorCode::kNotFound, "secret '{}' of '{}' is not in the catalog",
                            name, scope);
  }
  auto opened = box_.open(s.blob(0));
  if (!opened.has_value()) {
    return core::make_error(core::ErrorCode::kCorrupt,
                            "secret '{}' of '{}' cannot be decrypted with the master key", name,
                            scope)
        .with_hint("The master.key file does not match this catalog, or the row was altered.");
  }
  return std::move(opened).value();
}

core::Result<core::Secret> SecretStore::get_or_create(
    std::string_view scope, std::string_view name, const std::function<core::Secret()>& generate) {
  auto guard = db_.lock();
  auto existing = get(scope, name);
  if (existing.has_value() || existing.error().code() != core::ErrorCode::kNotFound) {
    return existing;
  }
  core::Secret value = generate();
  BALLAST_TRY(put(scope, name, value));
  return value;
}

core::Result<std::vector<std::string>> SecretStore::names(std::string_view scope) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(auto s,
                           db_.prepare("SELECT name FROM secrets WHERE scope = ? ORDER BY name"));
  s.bind(1, scope);
  std::vector<std::string> out;
  for (;;) {
    BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
    if (!row) break;
    out.push_back(s.text(0));
  }
  return out;
}

core::Status SecretStore::remove(std::string_view scope, std::string_view name) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(auto s, db_.prepare("DELETE FROM secrets WHERE scope = ? AND name = ?"));
  s.bind(1, scope).bind(2, name);
  return s.run();
}

core::Status SecretStore::remove_scope(std::string_view scope) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(auto s, db_.prepare("DELETE FROM secrets WHERE scope = ?"));
  s.bind(1, scope);
  return s.run();
}

core::Status SecretStore::reseal_all(const core::SecretBox& next, const std::string& next_key_id) {
  return db_.transaction([&]() -> core::Status {
    BALLAST_ASSIGN_OR_RETURN(auto read, db_.prepare("SELECT scope, name, sealed FROM secrets"));
    std::vector<std::tuple<std::string, std::string, std::string>> rows;
    for (;;) {
      BALLAST_ASSIGN_OR_RETURN(const bool row, read.step());
      if (!row) break;
      BALLAST_ASSIGN_OR_RETURN(core::Secret plain, box_.open(read.blob(2)));
      rows.emplace_back(read.text(0), read.text(1), next.seal(plain.reveal()));
    }
    for (const auto& [scope, name, sealed] : rows) {
      BALLAST_ASSIGN_OR_RETURN(
          auto w,
          db_.prepare("UPDATE secrets SET sealed = ?, key_id = ? WHERE scope = ? AND name = ?"));
      w.bind_blob(1, sealed).bind(2, next_key_id).bind(3, scope).bind(4, name);
      BALLAST_TRY(w.run());
    }
    return core::ok();
  });
}

core::Result<std::int64_t> SecretStore::rotate_key(core::SecretBox next) {
  auto guard = db_.lock();
  const std::string next_id = next.key_id();
  BALLAST_TRY(reseal_all(next, next_id));
  box_ = std::move(next);
  key_id_ = next_id;
  BALLAST_ASSIGN_OR_RETURN(auto count, db_.prepare("SELECT COUNT(*) FROM secrets"));
  BALLAST_TRY(count.step());
  return count.integer(0);
}

}  // namespace ballast::catalog
