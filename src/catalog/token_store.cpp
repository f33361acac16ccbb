#include "catalog/token_store.h"

#include <nlohmann/json.hpp>

namespace ballast::catalog {
namespace {

constexpr std::string_view kColumns =
    "id, name, role, tenants, hash, created_at, created_by, expires_at, revoked_at, revoked_by, "
    "last_used_at";

std::optional<core::SystemTime> optional_time(const Statement& s, int column) {
  if (s.is_null(column)) return std::nullopt;
  return core::parse_rfc3339(s.text(column));
}

std::optional<std::string> optional_text(const std::optional<core::SystemTime>& time) {
  if (!time) return std::nullopt;
  return core::format_rfc3339(*time);
}

TokenRecord read_row(const Statement& s) {
  TokenRecord r;
  r.id = s.text(0);
  r.name = s.text(1);
  r.role = s.text(2);
  const auto tenants = nlohmann::json::parse(s.text(3), nullptr, false);
  if (tenants.is_array()) {
    for (const auto& t : tenants) {
      if (t.is_string()) r.tenants.push_back(t.get<std::string>());
    }
  }
  r.hash = s.text(4);
  r.created_at = core::parse_rfc3339(s.text(5)).value_or(core::SystemTime{});
  r.created_by = s.text(6);
  r.expires_at = optional_time(s, 7);
  r.revoked_at = optional_time(s, 8);
  r.revoked_by = s.text(9);
  r.last_used_at = optional_time(s, 10);
  return r;
}

}  // namespace

core::Status TokenStore::insert(const TokenRecord& r) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(auto existing, find(r.id));
  if (existing) {
    return core::make_error(core::ErrorCode::kAlreadyExists, "token '{}' already exists", r.id);
  }
  BALLAST_ASSIGN_OR_RETURN(auto s,
                           db_.prepare(fmt::format("INSERT INTO tokens ({}) VALUES "
                                                   "(?, ?, ?, ?, ?, ?, ?, ?, NULL, '', NULL)",
                                                   kColumns)));
  s.bind(1, r.id).bind(2, r.name).bind(3, r.role).bind(4, nlohmann::json(r.tenants).dump());
  s.bind(5, r.hash).bind(6, core::format_rfc3339(r.created_at)).bind(7, r.created_by);
  s.bind_optional(8, optional_text(r.expires_at));
  return s.run();
}

core::Result<std::optional<TokenRecord>> TokenStore::find(std::string_view id) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(
      auto s, db_.prepare(fmt::format("SELECT {} FROM tokens WHERE id = ?", kColumns)));
  s.bind(1, id);
  BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
  if (!row) return std::optional<TokenRecord>();
  return std::optional<TokenRecord>(read_row(s));
}

core::Result<std::vector<TokenRecord>> TokenStore::list(bool include_revoked) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(
      auto s,
      db_.prepare(fmt::format("SELECT {} FROM tokens {} ORDER BY created_at DESC, id", kColumns,
                              include_revoked ? "" : "WHERE revoked_at IS NULL")));
  std::vector<TokenRecord> out;
  for (;;) {
    BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
    if (!row) break;
    out.push_back(read_row(s));
  }
  return out;
}

core::Status TokenStore::revoke(std::string_view id, std::string_view by, core::SystemTime at) {
  return db_.transaction([&]() -> core::Status {
    BALLAST_ASSIGN_OR_RETURN(auto existing, find(id));
    if (!existing) {
      return core::make_error(core::ErrorCode::kNotFound, "token '{}' does not exist", id)
          .with_hint("List tokens with 'ballast token list'.");
    }
    if (existing->is_revoked()) {
      return core::make_error(core::ErrorCode::kConflict, "token '{}' is already revoked", id);
    }
    BALLAST_ASSIGN_OR_RETURN(
        auto s, db_.prepare("UPDATE tokens SET revoked_at = ?, revoked_by = ? WHERE id = ?"));
    s.bind(1, core::format_rfc3339(at)).bind(2, by).bind(3, id);
    return s.run();
  });
}

core::Status TokenStore::touch(std::string_view id, core::SystemTime at) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(auto s, db_.prepare("UPDATE tokens SET last_used_at = ? WHERE id = ?"));
  s.bind(1, core::format_rfc3339(at)).bind(2, id);
  return s.run();
}

}  // namespace ballast::catalog
