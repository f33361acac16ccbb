// bench/provision: tenant provisioning in a pool (no app tier) and a no-op apply.
//
//   bench_provision [TENANTS=100] [APPLY_TENANTS=1000]
//
// Provisioning: Ballast's tenant creation (role, database from the template, Redis ACL user,
// file store, routes, catalog, audit) against the raw SQL a script would run for the same
// tenant (CREATE ROLE + CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY) on the same cluster,
// interleaved one for one so noise hits both. No-op apply: a full observe-plan-apply pass over
// every tenant, against the bare queries that read the same facts.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include <fmt/format.h>

#include "app/platform.h"
#include "components/haproxy/runtime_api.h"
#include "components/postgres/cluster.h"
#include "core/crypto.h"
#include "harness/harness.h"
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

std::unique_ptr<app::Platform> start(testing::TempDir& dir, const core::Clock& clock) {
  testing::write_text(dir / "ballast.yaml",
                      fmt::format(R"(platform:
  name: bench
  ingress: {{base_domain: bench.test, http: "127.0.0.1:{}"}}
  api: "127.0.0.1:{}"
plans: [{{name: small}}]
pools: [{{name: main, postgres: {{max_connections: 300}}}}]
)",
                                  testing::free_port(), testing::free_port()));
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

}  // namespace

int main(int argc, char** argv) {
  const int tenants = argc > 1 ? std::atoi(argv[1]) : 100;
  const int apply_tenants = argc > 2 ? std::atoi(argv[2]) : 1000;
  testing::TempDir dir("ballast-bench");
  core::SystemClock clock;
  auto platform = start(dir, clock);
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
