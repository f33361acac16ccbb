#include "catalog/change_store.h"

#include <array>

#include <fmt/format.h>

namespace ballast::catalog {
namespace {

constexpr std::array<std::string_view, 5> kStateNames = {"pending", "approved", "rejected",
                                                         "expired", "executed"};
constexpr std::string_view kBodyName = "request";
constexpr std::string_view kColumns =
    "id, action, operation, method, path, params, target, requester, requester_json, "
    "created_at, expires_at, state, decided_by, decided_at, reason, outcome";

std::string scope_of(std::string_view id) { return "change/" + std::string(id); }

ChangeRecord read_row(const Statement& s) {
  ChangeRecord r;
  r.id = s.text(0);
  r.action = s.text(1);
  r.operation = s.text(2);
  r.method = s.text(3);
  r.path = s.text(4);
  r.params = s.text(5);
  r.target = s.text(6);
  r.requester = s.text(7);
  r.requester_json = s.text(8);
  r.created_at = core::parse_rfc3339(s.text(9)).value_or(core::SystemTime{});
  r.expires_at = core::parse_rfc3339(s.text(10)).value_or(core::SystemTime{});
  r.state = change_state_from(s.text(11)).value_or(ChangeState::kPending);
  r.decided_by = s.text(12);
  if (!s.is_null(13)) r.decided_at = core::parse_rfc3339(s.text(13));
  r.reason = s.text(14);
  r.outcome = s.text(15);
  return r;
}

}  // namespace

std::string_view to_string(ChangeState state) {
  return kStateNames.at(static_cast<std::size_t>(state));
}

std::optional<ChangeState> change_state_from(std::string_view text) {
  for (std::size_t i = 0; i < kStateNames.size(); ++i) {
    if (kStateNames.at(i) == text) return static_cast<ChangeState>(i);
  }
  return std::nullopt;
}

core::Status ChangeStore::create(const ChangeRecord& r, const core::Secret& request_body) {
  return db_.transaction([&]() -> core::Status {
    BALLAST_ASSIGN_OR_RETURN(
        auto s,
        db_.prepare(fmt::format("INSERT INTO pending_changes ({}) VALUES (?1, ?2, ?3, ?4, "
                                "?5, ?6, ?7, ?8, ?9, ?10, ?11, 'pending', '', NULL, '', '')",
                                kColumns)));
    s.bind(1, r.id).bind(2, r.action).bind(3, r.operation).bind(4, r.method).bind(5, r.path);
    s.bind(6, r.params).bind(7, r.target).bind(8, r.requester).bind(9, r.requester_json);
    s.bind(10, core::format_rfc3339(r.created_at)).bind(11, core::format_rfc3339(r.expires_at));
    BALLAST_TRY(s.run());
    return secrets_.put(scope_of(r.id), kBodyName, request_body);
  });
}

core::Result<std::vector<ChangeRecord>> ChangeStore::select(std::string_view where,
                                                            std::string_view bound) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(
      auto s, db_.prepare(fmt::format("SELECT {} FROM pending_changes {} ORDER BY created_at DESC, "
                                      "id DESC",
                                      kColumns, where)));
  if (!bound.empty()) s.bind(1, bound);
  std::vector<ChangeRecord> out;
  for (;;) {
    BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
    if (!row) break;
    out.push_back(read_row(s));
  }
  return out;
}

core::Result<ChangeRecord> ChangeStore::get(std::string_view id) {
  BALLAST_ASSIGN_OR_RETURN(auto rows, select("WHERE id = ?1", id));
  if (rows.empty()) {
    return core::make_error(core::ErrorCode::kNotFound, "change '{}' does not exist", id)
        .with_hint("List the parked changes with 'ballast change list --all'.");
  }
  return std::move(rows.front());
}

core::Result<std::vector<ChangeRecord>> ChangeStore::list(bool include_closed) {
  if (include_closed) return select("", "");
  return select("WHERE state IN ('pending', 'approved')", "");
}

core::Result<core::Secret> ChangeStore::request_body(std::string_view id) {
  auto body = secrets_.get(scope_of(id), kBodyName);
  if (!body.has_value() && body.error().code() == core::ErrorCode::kNotFound) {
    return core::make_error(core::ErrorCode::kNotFound, "change '{}' has no parked request", id);
  }
  return body;
}

core::Status ChangeStore::decide(std::string_view id, ChangeState next, std::string_view by,
                                 std::string_view reason, core::SystemTime at) {
  BALLAST_ASSIGN_OR_RETURN(auto current, get(id));
  return db_.transaction([&]() -> core::Status {
    BALLAST_ASSIGN_OR_RETURN(auto s, db_.prepare(R"sql(
        UPDATE pending_changes SET state = ?1, decided_by = ?2, decided_at = ?3, reason = ?4
        WHERE id = ?5 AND state = 'pending' RETURNING id)sql"));
    s.bind(1, to_string(next)).bind(2, by).bind(3, core::format_rfc3339(at)).bind(4, reason);
    s.bind(5, id);
    BALLAST_ASSIGN_OR_RETURN(const bool changed, s.step());
    if (!changed) {
      return core::make_error(core::ErrorCode::kConflict, "change '{}' is {}, not pending", id,
                              to_string(current.state))
          .with_hint(
              "Only a pending change can be approved or rejected; ask again if it is "
              "still wanted.");
    }
    BALLAST_TRY(s.run());
    if (next == ChangeState::kApproved) return core::ok();
    return secrets_.remove_scope(scope_of(id));
  });
}

core::Status ChangeStore::finish(std::string_view id, std::string_view outcome) {
  return db_.transaction([&]() -> core::Status {
    BALLAST_ASSIGN_OR_RETURN(auto s, db_.prepare(R"sql(
        UPDATE pending_changes SET state = 'executed', outcome = ?1
        WHERE id = ?2 AND state = 'approved' RETURNING id)sql"));
    s.bind(1, outcome).bind(2, id);
    BALLAST_ASSIGN_OR_RETURN(const bool changed, s.step());
    if (!changed) {
      return core::make_error(core::ErrorCode::kConflict, "change '{}' is not approved", id);
    }
    BALLAST_TRY(s.run());
    return secrets_.remove_scope(scope_of(id));
  });
}

core::Result<std::vector<ChangeRecord>> ChangeStore::expire_due(core::SystemTime now) {
  BALLAST_ASSIGN_OR_RETURN(
      auto due, select("WHERE state = 'pending' AND expires_at <= ?1", core::format_rfc3339(now)));
  std::vector<ChangeRecord> expired;
  for (auto& change : due) {
    auto done = decide(change.id, ChangeState::kExpired, "daemon", "", now);
    if (!done.has_value()) {
      if (done.error().code() == core::ErrorCode::kConflict) continue;  // decided meanwhile
      return std::move(done).error();
    }
    change.state = ChangeState::kExpired;
    expired.push_back(std::move(change));
  }
  return expired;
}

}  // namespace ballast::catalog
