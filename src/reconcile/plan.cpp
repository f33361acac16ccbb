#include "reconcile/plan.h"

#include <algorithm>

#include <fmt/format.h>

#include "spec/model_schema.h"

namespace ballast::reconcile {
namespace {

Action make(ActionKind kind, std::string subject, std::string target, std::string description,
            bool guarded = false) {
  return Action{kind, std::move(subject), std::move(target), std::move(description), guarded};
}

std::string where(const spec::Tenant& t) {
  return t.tier == spec::Tier::kShared ? fmt::format("pool '{}'", t.pool)
                                       : fmt::format("stack '{}'", t.stack);
}

void plan_tenant_changes(const spec::Spec& desired, const spec::Tenant& t, const ObservedTenant& o,
                         std::vector<Action>& out) {
  const std::string subject = "tenant/" + t.name;
  const auto& r = o.record;
  if (r.tier != t.tier || r.pool != t.pool || r.stack != t.stack) {
    out.push_back(make(ActionKind::kMoveTenant, subject, where(t),
                       fmt::format("move tenant '{}' to {}", t.name, where(t))));
  }
  const spec::Plan* p = desired.find_plan(t.plan);
  if (r.plan != t.plan || (p != nullptr && r.plan_json != plan_fingerprint(*p))) {
    out.push_back(make(
        ActionKind::kChangePlan, subject, t.plan,
        r.plan == t.plan
            ? fmt::format("update tenant '{}' to the edited plan '{}'", t.name, t.plan)
            : fmt::format("change plan of tenant '{}' from '{}' to '{}'", t.name, r.plan, t.plan)));
  }
  for (const auto& d : t.domains) {
    if (std::find(r.domains.begin(), r.domains.end(), d) == r.domains.end()) {
      out.push_back(make(ActionKind::kAddDomain, subject, d,
                         fmt::format("add domain '{}' to tenant '{}'", d, t.name)));
    }
  }
  for (const auto& d : r.domains) {
    if (std::find(t.domains.begin(), t.domains.end(), d) == t.domains.end()) {
      out.push_back(make(ActionKind::kRemoveDomain, subject, d,
                         fmt::format("remove domain '{}' from tenant '{}'", d, t.name)));
    }
  }
  for (const auto& item : o.missing) {
    out.push_back(make(ActionKind::kRepairTenant, subject, item,
                       fmt::format("repair tenant '{}': {} is missing", t.name, item)));
  }
}

}  // namespace

std::string_view to_string(ActionKind kind) {
  switch (kind) {
    case ActionKind::kCreatePool:
      return "create_pool";
    case ActionKind::kCreateStack:
      return "create_stack";
    case ActionKind::kCreateTenant:
      return "create_tenant";
    case ActionKind::kCreateEnvironment:
      return "create_environment";
    case ActionKind::kMoveTenant:
      return "move_tenant";
    case ActionKind::kChangePlan:
      return "change_plan";
    case ActionKind::kAddDomain:
      return "add_domain";
    case ActionKind::kRemoveDomain:
      return "remove_domain";
    case ActionKind::kRepairTenant:
      return "repair_tenant";
    case ActionKind::kDeleteTenant:
      return "delete_tenant";
    case ActionKind::kDeleteStack:
      return "delete_stack";
    case ActionKind::kDeletePool:
      return "delete_pool";
  }
  return "unknown";
}

std::size_t Plan::guarded_count() const {
  return static_cast<std::size_t>(
      std::count_if(actions.begin(), actions.end(), [](const Action& a) { return a.is_guarded; }));
}

std::string plan_fingerprint(const spec::Plan& plan) { return spec::to_json(plan).dump(); }

Plan plan(const spec::Spec& desired, const Observed& observed) {
  Plan out;
  auto& a = out.actions;
  for (const auto& pool : desired.pools) {
    if (observed.pools.count(pool.name) == 0) {
      a.push_back(make(ActionKind::kCreatePool, "pool/" + pool.name, "",
                       fmt::format("create pool '{}' (PostgreSQL, Redis)", pool.name)));
    }
  }
  for (const auto& stack : desired.stacks) {
    if (observed.stacks.count(stack.name) == 0) {
      a.push_back(make(ActionKind::kCreateStack, "stack/" + stack.name, "",
                       fmt::format("create dedicated stack '{}' (PostgreSQL, Redis)", stack.name)));
    }
  }
  for (const auto& t : desired.tenants) {
    if (observed.tenants.count(t.name) == 0) {
      a.push_back(
          make(ActionKind::kCreateTenant, "tenant/" + t.name, t.plan,
               fmt::format("create tenant '{}' in {} with plan '{}'", t.name, where(t), t.plan)));
    }
  }
  for (const auto& t : desired.tenants) {
    for (const auto& e : t.environments) {
      const std::string copy = t.name + "-" + e.name;
      auto it = observed.tenants.find(copy);
      if (it == observed.tenants.end() ||
          it->second.record.state == catalog::TenantState::kProvisioning) {
        a.push_back(make(ActionKind::kCreateEnvironment, "tenant/" + copy, t.name + ":" + e.name,
                         fmt::format("create {} copy '{}' of tenant '{}' (neutralized)",
                                     spec::to_string(e.kind), copy, t.name)));
      }
    }
  }
  for (const auto& t : desired.tenants) {
    if (auto it = observed.tenants.find(t.name); it != observed.tenants.end()) {
      plan_tenant_changes(desired, t, it->second, a);
    }
  }
  // Tenants the spec does not list (made through the API, and copies) are repaired too: after
  // a restart their applications must come back like everyone else's.
  for (const auto& [name, o] : observed.tenants) {
    if (desired.find_tenant(name) != nullptr || o.record.origin == "spec") continue;
    for (const auto& item : o.missing) {
      a.push_back(make(ActionKind::kRepairTenant, "tenant/" + name, item,
                       fmt::format("repair tenant '{}': {} is missing", name, item)));
    }
  }
  for (const auto& [name, o] : observed.tenants) {
    if (desired.find_tenant(name) == nullptr && o.record.origin == "spec") {
      a.push_back(make(ActionKind::kDeleteTenant, "tenant/" + name, "",
                       fmt::format("delete tenant '{}' (no longer in the spec)", name), true));
    }
  }
  for (const auto& name : observed.stacks) {
    if (desired.find_stack(name) == nullptr) {
      a.push_back(make(ActionKind::kDeleteStack, "stack/" + name, "",
                       fmt::format("delete stack '{}' (no longer in the spec)", name), true));
    }
  }
  for (const auto& name : observed.pools) {
    if (desired.find_pool(name) == nullptr) {
      a.push_back(make(ActionKind::kDeletePool, "pool/" + name, "",
                       fmt::format("delete pool '{}' (no longer in the spec)", name), true));
    }
  }
  return out;
}

nlohmann::json to_json(const Plan& plan) {
  nlohmann::json actions = nlohmann::json::array();
  for (const auto& a : plan.actions) {
    actions.push_back({{"kind", to_string(a.kind)},
                       {"subject", a.subject},
                       {"target", a.target},
                       {"description", a.description},
                       {"guarded", a.is_guarded}});
  }
  return {{"actions", actions}, {"noop", plan.is_noop()}, {"guarded", plan.guarded_count()}};
}

std::string to_text(const Plan& plan) {
  if (plan.is_noop()) return "No changes: the platform matches the spec.\n";
  std::string out;
  for (const auto& a : plan.actions) {
    const char* mark = a.is_guarded ? "!" : a.kind == ActionKind::kRepairTenant ? "~" : "+";
    out += fmt::format("  {} {}{}\n", mark, a.description,
                       a.is_guarded ? "  [guarded: needs --allow-delete]" : "");
  }
  out += fmt::format("\n{} action{}", plan.actions.size(), plan.actions.size() == 1 ? "" : "s");
  if (plan.guarded_count() > 0) {
    out += fmt::format(", {} guarded (applied only with --allow-delete)", plan.guarded_count());
  }
  return out + ".\n";
}

}  // namespace ballast::reconcile
