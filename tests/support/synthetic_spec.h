// A generated spec of N tenants, for tests and benchmarks at scale: pools of 50 shared tenants,
// every 10th tenant on its own dedicated stack, every 4th with a staging copy and every 7th with
// a development copy, three plans and two repositories (posix and s3).
#pragma once

#include <cstddef>
#include <string>

#include <fmt/format.h>

namespace ballast::testing {

inline std::string synthetic_spec_yaml(std::size_t tenants) {
  std::string yaml = R"(version: 1
platform:
  name: synthetic
  ingress: {base_domain: synthetic.test}
repositories:
  - {name: local, type: posix, path: backups}
  - name: offsite
    type: s3
    endpoint: https://s3.synthetic.test
    bucket: synthetic-backups
    access_key_id_env: SYNTHETIC_S3_KEY_ID
    secret_access_key_env: SYNTHETIC_S3_SECRET
plans:
  - {name: starter, workers: 0, memory: 1GiB, db_size: 5GiB, connections: 10, request_rate: 20/s}
  - {name: business, workers: 2, memory: 3GiB, db_size: 20GiB, connections: 30, request_rate: 50/s}
  - {name: enterprise, workers: 6, cron_workers: 2, memory: 8GiB, db_size: 100GiB, connections: 60}
calendars:
  - {name: office, timezone: Europe/Paris}
)";
  const std::size_t pools = tenants / 50 + 1;
  yaml += "pools:\n";
  for (std::size_t p = 0; p < pools; ++p) {
    yaml += fmt::format("  - {{name: pool-{}, backup: {{repositories: [local, offsite]}}}}\n", p);
  }
  std::string stacks;
  std::string list = "tenants:\n";
  static const char* const kPlans[] = {"starter", "business", "enterprise"};
  for (std::size_t t = 0; t < tenants; ++t) {
    const std::string name = fmt::format("tenant-{:04}", t);
    const bool is_dedicated = t % 10 == 9;
    if (is_dedicated) {
      stacks += fmt::format(
          "  - {{name: {}, postgres: {{standby: {}}}, backup: {{repositories: "
          "[offsite]}}}}\n",
          name, t % 20 == 19 ? "true" : "false");
      list += fmt::format("  - {{name: {0}, tier: dedicated, stack: {0}, plan: enterprise", name);
    } else {
      list += fmt::format("  - {{name: {}, pool: pool-{}, plan: {}", name, t / 50, kPlans[t % 3]);
    }
    if (t % 2 == 0) list += ", calendar: office";
    std::string envs;
    if (t % 4 == 0) envs += "{name: staging}";
    if (t % 7 == 0)
      envs += std::string(envs.empty() ? "" : ", ") + "{name: dev, kind: development}";
    if (!envs.empty()) list += ", environments: [" + envs + "]";
    list += "}\n";
  }
  if (!stacks.empty()) yaml += "stacks:\n" + stacks;
  return yaml + list;
}

}  // namespace ballast::testing
