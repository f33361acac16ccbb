#include "catalog/second_factor_store.h"

namespace ballast::catalog {

core::Result<std::optional<SecondFactorRecord>> SecondFactorStore::find(std::string_view holder) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(auto s, db_.prepare("SELECT holder, kind, enrolled_at, confirmed_at, "
                                               "last_step FROM second_factors WHERE holder = ?"));
  s.bind(1, holder);
  BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
  if (!row) return std::optional<SecondFactorRecord>();
  SecondFactorRecord r;
  r.holder = s.text(0);
  r.kind = s.text(1);
  r.enrolled_at = core::parse_rfc3339(s.text(2)).value_or(core::SystemTime{});
  if (!s.is_null(3)) r.confirmed_at = core::parse_rfc3339(s.text(3));
  r.last_step = s.integer(4);
  return std::optional<SecondFactorRecord>(std::move(r));
}

core::Status SecondFactorStore::enroll(std::string_view holder, core::SystemTime at) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(auto s, db_.prepare(R"sql(
      INSERT INTO second_factors (holder, kind, enrolled_at, confirmed_at, last_step)
      VALUES (?1, 'totp', ?2, NULL, -1)
      ON CONFLICT (holder) DO UPDATE SET enrolled_at = ?2, confirmed_at = NULL, last_step = -1)sql"));
  s.bind(1, holder).bind(2, core::format_rfc3339(at));
  return s.run();
}

core::Result<bool> SecondFactorStore::use_step(std::string_view holder, std::int64_t step) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(auto s, db_.prepare("UPDATE second_factors SET last_step = ?1 "
                                               "WHERE holder = ?2 AND last_step < ?1 "
                                               "RETURNING holder"));
  s.bind(1, step).bind(2, holder);
  BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
  if (row) BALLAST_TRY(s.run());
  return row;
}

core::Status SecondFactorStore::confirm(std::string_view holder, core::SystemTime at) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(
      auto s, db_.prepare("UPDATE second_factors SET confirmed_at = ? WHERE holder = ?"));
  s.bind(1, core::format_rfc3339(at)).bind(2, holder);
  return s.run();
}

core::Status SecondFactorStore::remove(std::string_view holder) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(auto s, db_.prepare("DELETE FROM second_factors WHERE holder = ?"));
  s.bind(1, holder);
  return s.run();
}

}  // namespace ballast::catalog
