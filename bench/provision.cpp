// bench/provision: tenant provisioning in a pool (no app tier), a no-op apply, and tenants with
// Odoo ready to log in.
//
//   bench_provision [TENANTS=100] [APPLY_TENANTS=1000] [ODOO_TENANTS=3]
//
// Provisioning: Ballast's tenant creation (role, database from the template, Redis ACL user,
// file store, routes, catalog, audit) against the raw SQL a script would run for the same
// tenant (CREATE ROLE + CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY) on the same cluster,
// interleaved one for one so noise hits both. No-op apply: a full observe-plan-apply pass over
// every tenant, against the bare queries that read the same facts.
//
// Odoo: a tenant created from the pool's Odoo template (clone, new identity, admin password,
// file store, Odoo started, admin logged in through the proxy) against creating the same
// database with `odoo-bin -i <modules> --stop-after-init`, interleaved one for one. Real Odoo
// when BALLAST_ODOO_SRC names an Odoo source tree, else the stand-in (tests/odoo_standin);
// ODOO_TENANTS=0 skips this part.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <fmt/format.h>

#include "app/platform.h"
#include "components/haproxy/runtime_api.h"
#include "components/odoo/rpc.h"
#include "components/postgres/cluster.h"
#include "core/crypto.h"
#include "harness/harness.h"
#include "runtime/local/app_tier.h"
#include "spec/loader.h"

namespace {

using namespace ballast;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values.at(index);
}

// `odoo`: the spec's platform.odoo line, empty for no app tier.
std::unique_ptr<app::Platform> start(testing::TempDir& dir, const core::Clock& clock,
                                     std::uint16_t http_port, const std::string& odoo = "") {
  testing::write_text(dir / "ballast.yaml", fmt::format(R"(platform:
  name: bench
  ingress: {{base_domain: bench.test, http: "127.0.0.1:{}"}}
  api: "127.0.0.1:{}"{}
plans: [{{name: small}}]
pools: [{{name: main, postgres: {{max_connections: 300}}}}]
)",
                                                        http_port, testing::free_port(), odoo));
  auto spec = spec::load(dir / "ballast.yaml").value();
  auto platform = app::Platform::open(spec, catalog::OpenMode::kCreate, clock).value();
  (void)platform->apply(nullptr, {}, {"bench"});
  auto report = platform->start_runtime(core::component_identity().value());
  if (!report.has_value()) {
    std::fprintf(stderr, "cannot start: %s\n", report.error().to_string().c_str());
    std::exit(1);
  }
  // The pool exists once a tenant asked for it; create it up front so it is not timed.
  (void)platform->runtime()->ensure_host({runtime::local::HostRef::Kind::kPool, "main"});
  return platform;
}

double raw_tenant(components::postgres::Connection& admin, const std::string& name) {
  const auto t0 = Clock::now();
  const auto verifier = admin.scram_verifier(core::random_token(24), name).value();
  (void)admin.exec(fmt::format("CREATE ROLE {} LOGIN PASSWORD {}", admin.quote_identifier(name),
                               admin.quote_literal(verifier)));
  (void)admin.exec(
      fmt::format("CREATE DATABASE {0} OWNER {0} TEMPLATE ballast_template STRATEGY FILE_COPY",
                  admin.quote_identifier(name)));
  return ms_since(t0);
}

// The facts a no-op apply must read, read directly.
double raw_observe(runtime::local::LocalRuntime& runtime) {
  const runtime::local::HostRef host{runtime::local::HostRef::Kind::kPool, "main"};
  const auto t0 = Clock::now();
  auto admin = runtime.postgres_admin(host).value();
  (void)admin.query("SELECT rolname FROM pg_roles");
  (void)admin.query("SELECT datname FROM pg_database");
  auto redis = runtime.redis_admin(host).value();
  (void)redis.command({"ACL", "USERS"});
  (void)runtime.live_hosts_map();
  return ms_since(t0);
}

// Tenants with Odoo ready to log in, cloned from the template, against `odoo-bin -i`.
int bench_odoo(int tenants) {
  const auto source = testing::odoo_source();
  const bool real = testing::is_real_odoo();
  testing::TempDir dir("ballast-bench-odoo");
  core::SystemClock clock;
  const auto http_port = testing::free_port();
  auto platform =
      start(dir, clock, http_port, fmt::format("\n  odoo: {{source: \"{}\"}}", source.string()));
  auto& rt = *platform->runtime();
  runtime::local::AppTier app(rt, platform->catalog());
  const runtime::local::HostRef host{runtime::local::HostRef::Kind::kPool, "main"};
  const auto modules = app.modules_for({});
  std::string module_list;
  for (const auto& m : modules) module_list += (module_list.empty() ? "" : ",") + m;
  fmt::print("odoo: {} ({}), modules {}\n", real ? "real Odoo" : "the STAND-IN", source.string(),
             module_list);
  auto first = Clock::now();
  auto built = app.ensure_template(host, modules);
  if (!built.has_value()) {
    std::fprintf(stderr, "template: %s\n", built.error().to_string().c_str());
    return 1;
  }
  fmt::print("odoo: the pool's template built once in {:.1f} s\n", ms_since(first) / 1000);
  auto admin = rt.postgres_admin(host).value();
  std::vector<double> clone_s;
  std::vector<double> init_s;
  for (int i = 0; i < tenants; ++i) {
    const std::string name = fmt::format("o{:02}", i);
    const auto t0 = Clock::now();
    auto created = platform->tenant_create({{"name", name}, {"plan", "small"}}, {"bench"});
    auto password = platform->catalog().secrets().get("tenant/" + name, "odoo_admin_password");
    components::odoo::RpcClient rpc({"127.0.0.1", http_port, name + ".bench.test"});
    auto login = created.has_value() && password.has_value()
                     ? rpc.authenticate(name, "admin", *password)
                     : core::Status(core::Error(core::ErrorCode::kInternal, "not created"));
    clone_s.push_back(ms_since(t0) / 1000);
    if (!created.has_value() || !login.has_value()) {
      std::fprintf(stderr, "tenant %s: %s\n", name.c_str(),
                   (created.has_value() ? login.error() : created.error()).to_string().c_str());
      return 1;
    }
    // The reference: the same database built from nothing by Odoo, as a script would.
    (void)admin.exec(
        fmt::format("ALTER DATABASE {} IS_TEMPLATE false", admin.quote_identifier(*built)));
    const auto t1 = Clock::now();
    auto rebuilt = app.ensure_template(host, modules);
    init_s.push_back(ms_since(t1) / 1000);
    if (!rebuilt.has_value()) {
      std::fprintf(stderr, "odoo-bin -i: %s\n", rebuilt.error().to_string().c_str());
      return 1;
    }
  }
  const double clone50 = percentile(clone_s, 0.5);
  const double init50 = percentile(init_s, 0.5);
  fmt::print(
      "odoo: {} tenants ready to log in: template clone median {:.1f} s (max {:.1f} s) | "
      "odoo-bin -i median {:.1f} s (max {:.1f} s) | ratio {:.1f}x faster\n",
      tenants, clone50, percentile(clone_s, 1.0), init50, percentile(init_s, 1.0),
      init50 / clone50);
  platform->stop_runtime();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const int tenants = argc > 1 ? std::atoi(argv[1]) : 100;
  const int apply_tenants = argc > 2 ? std::atoi(argv[2]) : 1000;
  const int odoo_tenants = argc > 3 ? std::atoi(argv[3]) : 3;
  // The Odoo part names its source in its spec; the provisioning part runs without an app tier.
  if (odoo_tenants > 0 && bench_odoo(odoo_tenants) != 0) return 1;
  ::unsetenv("BALLAST_ODOO_SRC");
  if (tenants == 0) return 0;
  testing::TempDir dir("ballast-bench");
  core::SystemClock clock;
  auto platform = start(dir, clock, testing::free_port());
  auto& rt = *platform->runtime();
  auto admin = rt.postgres_admin({runtime::local::HostRef::Kind::kPool, "main"}).value();

  std::vector<double> ballast_ms;
  std::vector<double> raw_ms;
  for (int i = 0; i < tenants; ++i) {
    const auto t0 = Clock::now();
    auto created =
        platform->tenant_create({{"name", fmt::format("t{:04}", i)}, {"plan", "small"}}, {"bench"});
    ballast_ms.push_back(ms_since(t0));
    if (!created.has_value()) {
      std::fprintf(stderr, "tenant %d: %s\n", i, created.error().to_string().c_str());
      return 1;
    }
    raw_ms.push_back(raw_tenant(admin, fmt::format("raw{:04}", i)));
  }
  const double p50 = percentile(ballast_ms, 0.5);
  const double p99 = percentile(ballast_ms, 0.99);
  const double raw50 = percentile(raw_ms, 0.5);
  const double raw99 = percentile(raw_ms, 0.99);
  fmt::print(
      "provision {} tenants: ballast p50 {:.0f} ms p99 {:.0f} ms | raw SQL p50 {:.0f} ms "
      "p99 {:.0f} ms | ratio p50 {:.2f}x\n",
      tenants, p50, p99, raw50, raw99, p50 / raw50);

  for (int i = tenants; i < apply_tenants; ++i) {
    (void)platform->tenant_create({{"name", fmt::format("t{:04}", i)}, {"plan", "small"}},
                                  {"bench"});
  }
  std::vector<double> apply_ms;
  std::vector<double> observe_ms;
  for (int run = 0; run < 5; ++run) {
    const auto t0 = Clock::now();
    auto report = platform->apply(nullptr, {}, {"bench"}).value();
    apply_ms.push_back(ms_since(t0));
    if (!report.results.empty()) std::fprintf(stderr, "apply was not a no-op\n");
    observe_ms.push_back(raw_observe(rt));
  }
  const double apply50 = percentile(apply_ms, 0.5);
  const double observe50 = percentile(observe_ms, 0.5);
  fmt::print(
      "no-op apply of {} tenants: ballast median {:.0f} ms | raw observation queries "
      "median {:.0f} ms | ratio {:.2f}x\n",
      apply_tenants, apply50, observe50, apply50 / observe50);
  platform->stop_runtime();
  return 0;
}
