// The rows the catalog keeps, as plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "spec/model.h"

namespace ballast::catalog {

enum class TenantState { kProvisioning, kActive, kSuspended, kDeleting };
std::string_view to_string(TenantState state);
std::optional<TenantState> tenant_state_from(std::string_view text);

struct TenantRecord {
  std::string name;
  spec::Tier tier = spec::Tier::kShared;
  std::string pool;
  std::string stack;
  std::string plan;
  std::string plan_json = "{}";  // the plan's quotas as applied, to notice plan edits
  std::vector<std::string> domains;
  TenantState state = TenantState::kProvisioning;
  core::SystemTime created_at{};
  core::SystemTime updated_at{};
  std::int64_t generation = 1;
  std::string origin = "spec";             // "spec" or "api": apply deletes only the spec's tenants
  std::string parent;                      // the production tenant of a copy
  std::string environment = "production";  // production, staging, development
  [[nodiscard]] bool is_production() const { return environment == "production"; }
};

enum class ComponentState { kStarting, kRunning, kStopped, kFailed, kBackoff };
std::string_view to_string(ComponentState state);

struct ComponentRecord {
  std::string name;   // "pool/shared-eu/postgres", "platform/haproxy"
  std::string kind;   // postgres, redis, haproxy, odoo
  std::string owner;  // "pool/shared-eu", "stack/x", "tenant/y", "platform"
  std::optional<std::uint16_t> port;
  std::string data_dir;
  std::optional<std::int64_t> pid;
  ComponentState state = ComponentState::kStopped;
  std::int64_t restarts = 0;
  std::string last_error;
  core::SystemTime updated_at{};
};

enum class EventLevel { kNormal, kWarning };

struct Event {
  std::int64_t id = 0;
  core::SystemTime at{};
  EventLevel level = EventLevel::kNormal;
  std::string subject;  // "tenant/acme", "component/pool/main/postgres"
  std::string reason;   // CamelCase, e.g. "ComponentRestarted"
  std::string message;
};

struct AuditEntry {
  std::int64_t seq = 0;
  core::SystemTime at{};
  std::string actor;    // token id or "cli:<user>" or "daemon"
  std::string action;   // "tenant.create"
  std::string target;   // "tenant/acme"
  std::string outcome;  // "ok" or the error code name
  std::string detail;   // JSON object: parameters, reason given, error message
  std::string prev_hash;
  std::string hash;
};

}  // namespace ballast::catalog
