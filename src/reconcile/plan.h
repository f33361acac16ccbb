// The planner: desired spec vs observed state → an ordered list of idempotent actions.
// Pure: no I/O. The executor (apply) and `ballast plan` both use it.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/records.h"
#include "spec/model.h"

namespace ballast::reconcile {

enum class ActionKind {
  kCreatePool,
  kCreateStack,
  kCreateTenant,
  kCreateEnvironment,
  kMoveTenant,
  kChangePlan,
  kAddDomain,
  kRemoveDomain,
  kRepairTenant,
  kDeleteTenant,
  kDeleteStack,
  kDeletePool,
};
std::string_view to_string(ActionKind kind);

struct Action {
  ActionKind kind = ActionKind::kCreateTenant;
  std::string subject;      // "tenant/acme", "pool/shared-eu"
  std::string target;       // the domain, plan or repair item the action is about
  std::string description;  // one line for people
  bool is_guarded = false;  // destructive: applied only with --allow-delete
};

// What exists now: from the catalog, plus what a fresh look at the components found missing.
struct ObservedTenant {
  catalog::TenantRecord record;
  std::vector<std::string> missing;  // drift: "database role", "route acme.example.test", …
};

struct Observed {
  std::set<std::string> pools;
  std::set<std::string> stacks;
  std::map<std::string, ObservedTenant> tenants;
};

struct Plan {
  std::vector<Action> actions;
  [[nodiscard]] bool is_noop() const { return actions.empty(); }
  [[nodiscard]] std::size_t guarded_count() const;
};

// The canonical JSON of a plan's quotas, recorded with a tenant to notice edits of its plan.
std::string plan_fingerprint(const spec::Plan& plan);

// Orders: pools, stacks, tenant creations, changes, repairs; destructive actions last.
Plan plan(const spec::Spec& desired, const Observed& observed);

nlohmann::json to_json(const Plan& plan);
std::string to_text(const Plan& plan);

}  // namespace ballast::reconcile
