#include "reconcile/apply.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace ballast::reconcile {

using runtime::local::HostRef;

namespace {

core::Result<std::string> run_action(const Action& a, const spec::Spec& spec, TenantOps& ops,
                                     runtime::local::LocalRuntime& runtime,
                                     std::set<std::string>& ensured) {
  const auto slash = a.subject.find('/');
  const std::string name = a.subject.substr(slash + 1);
  switch (a.kind) {
    case ActionKind::kCreatePool:
      BALLAST_TRY(runtime.ensure_host(HostRef{HostRef::Kind::kPool, name}));
      BALLAST_TRY(runtime.ensure_proxy());
      return std::string("created");
    case ActionKind::kCreateStack:
      BALLAST_TRY(runtime.ensure_host(HostRef{HostRef::Kind::kStack, name}));
      BALLAST_TRY(runtime.ensure_proxy());
      return std::string("created");
    case ActionKind::kMoveTenant:
      return core::make_error(core::ErrorCode::kUnimplemented,
                              "moving tenant '{}' between pools and stacks is not supported yet",
                              name)
          .with_hint("Export the tenant, create it in its new place and import it.");
    case ActionKind::kCreateTenant:
    case ActionKind::kChangePlan:
    case ActionKind::kAddDomain:
    case ActionKind::kRemoveDomain:
    case ActionKind::kRepairTenant: {
      if (!ensured.insert(name).second) return std::string("updated");
      const spec::Tenant* t = spec.find_tenant(name);
      if (t == nullptr && a.kind == ActionKind::kRepairTenant) {
        BALLAST_TRY(ops.repair(name));  // made through the API, or a copy
        return std::string("updated");
      }
      if (t == nullptr)
        return core::make_error(core::ErrorCode::kInternal, "tenant '{}' left the spec", name);
      BALLAST_ASSIGN_OR_RETURN(const Outcome outcome, ops.ensure(*t));
      return std::string(to_string(outcome));
    }
    case ActionKind::kCreateEnvironment: {
      const auto colon = a.target.find(':');
      const spec::Tenant* parent = spec.find_tenant(a.target.substr(0, colon));
      const std::string env_name = a.target.substr(colon + 1);
      if (parent == nullptr)
        return core::make_error(core::ErrorCode::kInternal, "no parent for '{}'", name);
      for (const auto& e : parent->environments) {
        if (e.name != env_name) continue;
        BALLAST_ASSIGN_OR_RETURN(const Outcome outcome,
                                 ops.create_environment(parent->name, e.name, e.kind, e.domains));
        return std::string(to_string(outcome));
      }
      return core::make_error(core::ErrorCode::kInternal, "environment '{}' left the spec", name);
    }
    case ActionKind::kDeleteTenant:
      BALLAST_TRY(ops.remove(name));
      return std::string("deleted");
    case ActionKind::kDeleteStack:
    case ActionKind::kDeletePool:
      return core::make_error(core::ErrorCode::kUnimplemented,
                              "deleting {} is not automated: its data stays on disk", a.subject)
          .with_hint("Stop using it, back it up, then remove its directory under data/ by hand.");
  }
  return core::make_error(core::ErrorCode::kInternal, "unknown action");
}

}  // namespace

bool ApplyReport::is_ok() const {
  return std::none_of(results.begin(), results.end(),
                      [](const ActionResult& r) { return r.outcome == "failed"; });
}

std::size_t ApplyReport::count(std::string_view outcome) const {
  return static_cast<std::size_t>(std::count_if(
      results.begin(), results.end(), [&](const ActionResult& r) { return r.outcome == outcome; }));
}

ApplyReport apply(const Plan& plan, const spec::Spec& spec, TenantOps& ops,
                  runtime::local::LocalRuntime& runtime, const ApplyOptions& options,
                  const ActionObserver& observe) {
  ApplyReport report;
  std::set<std::string> ensured;
  for (const auto& action : plan.actions) {
    ActionResult result{action, "", ""};
    if (action.is_guarded && !options.allow_delete) {
      result.outcome = "skipped";
      result.error = "guarded: pass --allow-delete to apply it";
    } else {
      auto done = run_action(action, spec, ops, runtime, ensured);
      result.outcome = done.has_value() ? *done : "failed";
      if (!done.has_value()) result.error = done.error().to_string();
    }
    if (observe) observe(result);
    report.results.push_back(std::move(result));
  }
  return report;
}

nlohmann::json to_json(const ApplyReport& report) {
  nlohmann::json results = nlohmann::json::array();
  for (const auto& r : report.results) {
    nlohmann::json item = {{"kind", to_string(r.action.kind)},
                           {"subject", r.action.subject},
                           {"target", r.action.target},
                           {"description", r.action.description},
                           {"outcome", r.outcome}};
    if (!r.error.empty()) item["error"] = r.error;
    results.push_back(item);
  }
  return {{"ok", report.is_ok()}, {"results", results}};
}

std::string to_text(const ApplyReport& report) {
  if (report.results.empty()) return "Nothing to do: the platform matches the spec.\n";
  std::string out;
  for (const auto& r : report.results) {
    out += fmt::format("  {:<9} {}\n", r.outcome, r.action.description);
    if (!r.error.empty()) out += fmt::format("            {}\n", r.error);
  }
  out += fmt::format("\n{} created, {} updated, {} deleted, {} unchanged, {} skipped, {} failed.\n",
                     report.count("created"), report.count("updated"), report.count("deleted"),
                     report.count("unchanged"), report.count("skipped"), report.count("failed"));
  return out;
}

}  // namespace ballast::reconcile
