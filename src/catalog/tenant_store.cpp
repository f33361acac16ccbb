#include "catalog/tenant_store.h"

#include <nlohmann/json.hpp>

namespace ballast::catalog {
namespace {

constexpr std::string_view kColumns =
    "name, tier, pool, stack, plan, plan_json, domains, state, created_at, updated_at, generation, "
    "origin, parent, environment";

core::SystemTime parse_time(const std::string& text) {
  return core::parse_rfc3339(text).value_or(core::SystemTime{});
}

TenantRecord read_row(const Statement& s) {
  TenantRecord r;
  r.name = s.text(0);
  r.tier = s.text(1) == "dedicated" ? spec::Tier::kDedicated : spec::Tier::kShared;
  r.pool = s.text(2);
  r.stack = s.text(3);
  r.plan = s.text(4);
  r.plan_json = s.text(5);
  r.domains = nlohmann::json::parse(s.text(6), nullptr, false).is_array()
                  ? nlohmann::json::parse(s.text(6)).get<std::vector<std::string>>()
                  : std::vector<std::string>{};
  r.state = tenant_state_from(s.text(7)).value_or(TenantState::kProvisioning);
  r.created_at = parse_time(s.text(8));
  r.updated_at = parse_time(s.text(9));
  r.generation = s.integer(10);
  r.origin = s.text(11);
  r.parent = s.text(12);
  r.environment = s.text(13);
  return r;
}

}  // namespace

core::Result<std::vector<TenantRecord>> TenantStore::list() {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(
      auto s, db_.prepare(fmt::format("SELECT {} FROM tenants ORDER BY name", kColumns)));
  std::vector<TenantRecord> out;
  for (;;) {
    BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
    if (!row) break;
    out.push_back(read_row(s));
  }
  return out;
}

core::Result<std::optional<TenantRecord>> TenantStore::find(std::string_view name) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(
      auto s, db_.prepare(fmt::format("SELECT {} FROM tenants WHERE name = ?", kColumns)));
  s.bind(1, name);
  BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
  if (!row) return std::optional<TenantRecord>();
  return std::optional<TenantRecord>(read_row(s));
}

core::Result<TenantRecord> TenantStore::get(std::string_view name) {
  BALLAST_ASSIGN_OR_RETURN(auto found, find(name));
  if (!found) {
    return core::make_error(core::ErrorCode::kNotFound, "tenant '{}' does not exist", name)
        .with_hint("Run 'ballast tenant list' to see the tenants.");
  }
  return std::move(*found);
}

core::Status TenantStore::save(const TenantRecord& record) {
  auto guard = db_.lock();
  const auto now = core::format_rfc3339(clock_.now());
  BALLAST_ASSIGN_OR_RETURN(auto s, db_.prepare(R"sql(
      INSERT INTO tenants (name, tier, pool, stack, plan, plan_json, domains, state, created_at,
                           updated_at, generation, origin, parent, environment)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, 1, ?10, ?11, ?12)
      ON CONFLICT (name) DO UPDATE SET tier = ?2, pool = ?3, stack = ?4, plan = ?5,
        plan_json = ?6, domains = ?7, state = ?8, updated_at = ?9, generation = generation + 1,
        origin = ?10, parent = ?11, environment = ?12)sql"));
  s.bind(1, record.name)
      .bind(2, spec::to_string(record.tier))
      .bind(3, record.pool)
      .bind(4, record.stack)
      .bind(5, record.plan)
      .bind(6, record.plan_json)
      .bind(7, nlohmann::json(record.domains).dump())
      .bind(8, to_string(record.state))
      .bind(9, now)
      .bind(10, record.origin)
      .bind(11, record.parent)
      .bind(12, record.environment);
  return s.run();
}

core::Status TenantStore::set_state(std::string_view name, TenantState state) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(auto s, db_.prepare("UPDATE tenants SET state = ?1, updated_at = ?2, "
                                               "generation = generation + 1 WHERE name = ?3"));
  s.bind(1, to_string(state)).bind(2, core::format_rfc3339(clock_.now())).bind(3, name);
  return s.run();
}

core::Status TenantStore::remove(std::string_view name) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(auto s, db_.prepare("DELETE FROM tenants WHERE name = ?"));
  s.bind(1, name);
  return s.run();
}

}  // namespace ballast::catalog
