// The executor: runs a plan's actions against the embedded platform, in order, each
// idempotent, and reports Unchanged/Created/Updated/Deleted per action. Guarded (destructive)
// actions run only with allow_delete.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reconcile/plan.h"
#include "reconcile/tenant_ops.h"

namespace ballast::reconcile {

struct ApplyOptions {
  bool allow_delete = false;
};

struct ActionResult {
  Action action;
  std::string outcome;  // created, updated, deleted, unchanged, skipped, failed
  std::string error;
};

struct ApplyReport {
  std::vector<ActionResult> results;
  [[nodiscard]] bool is_ok() const;
  [[nodiscard]] std::size_t count(std::string_view outcome) const;
};

// Called after each action with its result, for the audit trail and progress output.
using ActionObserver = std::function<void(const ActionResult&)>;

ApplyReport apply(const Plan& plan, const spec::Spec& spec, TenantOps& ops,
                  runtime::local::LocalRuntime& runtime, const ApplyOptions& options,
                  const ActionObserver& observe = nullptr);

nlohmann::json to_json(const ApplyReport& report);
std::string to_text(const ApplyReport& report);

}  // namespace ballast::reconcile
