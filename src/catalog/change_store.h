// ChangeStore: privileged requests parked until a second approver agrees (`security.approvals`
// in the spec). The row holds who asked for what and its state; the request body is sealed
// under the master key in the SecretStore (scope "change/<id>", name "request") and forgotten
// once the change is closed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/secret_store.h"
#include "catalog/sqlite.h"
#include "core/clock.h"

namespace ballast::catalog {

// pending → approved → executed; pending → rejected; pending → expired. Only a pending change
// can be decided, and only an approved one executed.
enum class ChangeState { kPending, kApproved, kRejected, kExpired, kExecuted };

std::string_view to_string(ChangeState state);
std::optional<ChangeState> change_state_from(std::string_view text);

struct ChangeRecord {
  std::string id;              // 12 hex digits
  std::string action;          // "tenant.delete" (spec::kApprovalActions)
  std::string operation;       // the route's operation id ("deleteTenant")
  std::string method;          // of the parked request
  std::string path;            // of the parked request
  std::string params = "{}";   // path parameters, a JSON object
  std::string target;          // "tenant/acme", "platform"
  std::string requester;       // holder: "token:<id>"
  std::string requester_json;  // the requester's role and tenants when it asked, JSON
  core::SystemTime created_at{};
  core::SystemTime expires_at{};
  ChangeState state = ChangeState::kPending;
  std::string decided_by;  // the approver or rejecter; "daemon" for an expiry
  std::optional<core::SystemTime> decided_at;
  std::string reason;   // given with a rejection or approval
  std::string outcome;  // after execution: "ok" or the error code
};

// Thread-safe (through the shared Database). Transitions are atomic: two approvers racing for
// one change cannot both win.
class ChangeStore final {
 public:
  ChangeStore(Database& db, SecretStore& secrets) : db_(db), secrets_(secrets) {}

  // Stores a new pending change and seals its request body.
  core::Status create(const ChangeRecord& record, const core::Secret& request_body);
  // kNotFound when there is no such change.
  core::Result<ChangeRecord> get(std::string_view id);
  // Newest first; closed changes (rejected, expired, executed) only with `include_closed`.
  core::Result<std::vector<ChangeRecord>> list(bool include_closed);
  // The parked request body; kNotFound once the change is closed.
  core::Result<core::Secret> request_body(std::string_view id);
  // Moves a pending change to kApproved, kRejected or kExpired. kConflict when it is not
  // pending (any more); kNotFound when there is no such change.
  core::Status decide(std::string_view id, ChangeState next, std::string_view by,
                      std::string_view reason, core::SystemTime at);
  // Moves an approved change to kExecuted with the handler's outcome and forgets its body.
  core::Status finish(std::string_view id, std::string_view outcome);
  // Marks every pending change whose expiry is at or before `now` as kExpired; returns them.
  core::Result<std::vector<ChangeRecord>> expire_due(core::SystemTime now);

 private:
  core::Result<std::vector<ChangeRecord>> select(std::string_view where, std::string_view bound);
  Database& db_;
  SecretStore& secrets_;
};

}  // namespace ballast::catalog
