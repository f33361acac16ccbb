#include "reconcile/plan.h"

#include <gtest/gtest.h>

#include "spec/loader.h"

namespace ballast::reconcile {
namespace {

spec::Spec desired() {
  return spec::parse(R"(platform:
  name: p
  ingress: {base_domain: example.test}
plans:
  - {name: small}
  - {name: large, workers: 4}
pools:
  - {name: main}
stacks:
  - {name: solo}
tenants:
  - {name: a, pool: main, plan: small}
  - {name: b, tier: dedicated, stack: solo, plan: large, domains: [b.example.test, erp.b.test]}
)",
                     "t.yaml")
      .value();
}

ObservedTenant recorded(const spec::Spec& s, const std::string& name) {
  const auto* t = s.find_tenant(name);
  ObservedTenant o;
  o.record.name = t->name;
  o.record.tier = t->tier;
  o.record.pool = t->pool;
  o.record.stack = t->stack;
  o.record.plan = t->plan;
  o.record.plan_json = plan_fingerprint(*s.find_plan(t->plan));
  o.record.domains = t->domains;
  return o;
}

Observed converged(const spec::Spec& s) {
  Observed o;
  o.pools = {"main"};
  o.stacks = {"solo"};
  o.tenants = {{"a", recorded(s, "a")}, {"b", recorded(s, "b")}};
  return o;
}

struct Case {
  const char* name;
  void (*change)(Observed&);
  std::vector<std::string> expected;  // "kind subject target", in order
};

std::vector<std::string> summary(const Plan& p) {
  std::vector<std::string> out;
  for (const auto& a : p.actions) {
    out.push_back(fmt::format("{} {} {}{}", to_string(a.kind), a.subject, a.target,
                              a.is_guarded ? " guarded" : ""));
  }
  return out;
}

class PlannerTest : public ::testing::TestWithParam<Case> {};

TEST_P(PlannerTest, PlansExactlyTheDifference) {
  const auto s = desired();
  Observed observed = converged(s);
  GetParam().change(observed);
  EXPECT_EQ(summary(plan(s, observed)), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, PlannerTest,
    ::testing::Values(Case{"converged", [](Observed&) {}, {}},
                      Case{"empty",
                           [](Observed& o) { o = Observed{}; },
                           {"create_pool pool/main ", "create_stack stack/solo ",
                            "create_tenant tenant/a small", "create_tenant tenant/b large"}},
                      Case{"plan_renamed",
                           [](Observed& o) { o.tenants["a"].record.plan = "large"; },
                           {"change_plan tenant/a small"}},
                      Case{"plan_edited",
                           [](Observed& o) { o.tenants["a"].record.plan_json = "{}"; },
                           {"change_plan tenant/a small"}},
                      Case{"domain_added_and_removed",
                           [](Observed& o) {
                             o.tenants["b"].record.domains = {"b.example.test", "old.b.test"};
                           },
                           {"add_domain tenant/b erp.b.test", "remove_domain tenant/b old.b.test"}},
                      Case{"drift",
                           [](Observed& o) { o.tenants["a"].missing = {"database role"}; },
                           {"repair_tenant tenant/a database role"}},
                      Case{"drift_of_a_copy_the_spec_does_not_list",
                           [](Observed& o) {
                             auto& copy = o.tenants["a-staging"];
                             copy.record.name = "a-staging";
                             copy.record.origin = "api";
                             copy.record.parent = "a";
                             copy.missing = {"application"};
                           },
                           {"repair_tenant tenant/a-staging application"}},
                      Case{"moved",
                           [](Observed& o) { o.tenants["a"].record.pool = "other"; },
                           {"move_tenant tenant/a pool 'main'"}},
                      Case{"removed_from_spec_is_guarded_and_last",
                           [](Observed& o) {
                             o.tenants["zed"].record.name = "zed";
                             o.pools.insert("old");
                             o.tenants.erase("a");
                           },
                           {"create_tenant tenant/a small", "delete_tenant tenant/zed  guarded",
                            "delete_pool pool/old  guarded"}}),
    [](const auto& test) { return std::string(test.param.name); });

TEST(PlanText, ShowsGuardedActions) {
  Plan p;
  p.actions.push_back({ActionKind::kDeleteTenant, "tenant/x", "", "delete tenant 'x'", true});
  EXPECT_EQ(
      to_text(p),
      "  ! delete tenant 'x'  [guarded: needs --allow-delete]\n\n1 action, 1 guarded (applied "
      "only with --allow-delete).\n");
  EXPECT_EQ(to_text(Plan{}), "No changes: the platform matches the spec.\n");
  EXPECT_EQ(to_json(p)["guarded"], 1);
}

}  // namespace
}  // namespace ballast::reconcile
