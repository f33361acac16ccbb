// Sizing rules: plan → pods, site → PostgreSQL and Redis, namespace → quota.
#include "runtime/kubernetes/sizing.h"

#include <algorithm>

namespace ballast::runtime::kubernetes {
namespace {

constexpr std::uint32_t kMaxWorkersPerPod = 4;
constexpr std::uint64_t kMinOdooPod = 512 * kMiB;
constexpr std::uint64_t kDefaultPlanMemory = 2 * kGiB;
constexpr std::uint64_t kMinDatabaseStorage = 5 * kGiB;
constexpr std::uint64_t kMinWalStorage = 2 * kGiB;
constexpr std::uint64_t kJobsPerTenant = 3;  // backup, drill, journey
constexpr std::uint64_t kHeadroomPercent = 25;

std::uint64_t round_up_mib(std::uint64_t bytes) { return (bytes + kMiB - 1) / kMiB * kMiB; }

std::uint64_t half(std::uint64_t bytes) { return round_up_mib(bytes / 2); }

PodSize odoo_pod(std::uint64_t memory_limit, std::uint64_t cpu) {
  return {
      .cpu_millicores = cpu, .memory_request = half(memory_limit), .memory_limit = memory_limit};
}

// Adds `count` pods of `size` to the budget.
void add(NamespaceBudget& budget, const PodSize& size, std::uint64_t count) {
  budget.cpu_request_millicores += size.cpu_millicores * count;
  budget.memory_request += size.memory_request * count;
  budget.memory_limit += size.memory_limit * count;
  budget.pods += static_cast<std::uint32_t>(count);
  if (count > 0)
    budget.max_container_memory = std::max(budget.max_container_memory, size.memory_limit);
}

std::uint64_t with_headroom(std::uint64_t value) { return value + value * kHeadroomPercent / 100; }

}  // namespace

OdooSizing odoo_sizing(const spec::Plan& plan, bool is_production) {
  OdooSizing s;
  const std::uint64_t memory = plan.memory.bytes > 0 ? plan.memory.bytes : kDefaultPlanMemory;
  s.workers_per_pod = std::min(plan.workers, kMaxWorkersPerPod);
  const std::uint32_t pods_for_workers = (plan.workers + kMaxWorkersPerPod - 1) / kMaxWorkersPerPod;
  s.web_replicas = is_production ? std::max(2U, pods_for_workers) : 1U;
  s.web_max_replicas = is_production ? s.web_replicas * 2 : 1U;
  s.websocket_replicas = is_production ? 2U : 1U;
  s.cron_replicas = is_production ? 1U : 0U;
  s.cron_threads = std::max(1U, plan.cron_workers);
  // A copy's single pod is sized like one production pod: copies cost less, not more.
  const std::uint32_t production_replicas = std::max(2U, pods_for_workers);
  const std::uint64_t web_limit = std::max(kMinOdooPod, round_up_mib(memory / production_replicas));
  s.web = odoo_pod(web_limit, 250ULL * std::max(1U, s.workers_per_pod));
  s.websocket = odoo_pod(kMinOdooPod, 100);
  s.cron = odoo_pod(std::max(kMinOdooPod, half(memory)), 100ULL * s.cron_threads);
  s.job = {.cpu_millicores = 100, .memory_request = 256 * kMiB, .memory_limit = kGiB};
  s.init = {.cpu_millicores = 10, .memory_request = 16 * kMiB, .memory_limit = 32 * kMiB};
  // Prefork: the master, the workers and the gevent child share the pod's limit.
  s.limit_memory_hard = round_up_mib(web_limit / (s.workers_per_pod + 1));
  s.limit_memory_soft = round_up_mib(s.limit_memory_hard * 3 / 4);
  const std::uint32_t processes =
      s.web_max_replicas * (s.workers_per_pod + 2) + s.websocket_replicas + s.cron_replicas;
  s.db_maxconn = std::max(2U, plan.connections / std::max(1U, processes));
  s.filestore_bytes = std::max(kGiB, plan.filestore_size.bytes);
  return s;
}

PostgresSizing postgres_sizing(const Namespace& ns) {
  PostgresSizing s;
  const Site& site = *ns.site;
  if (ns.is_production) {
    const bool is_pool = site.kind == UnitKind::kPool;
    s.instances = is_pool || site.postgres->standby ? 3U : 2U;
    s.synchronous_replicas = is_pool || site.postgres->standby ? 1U : 0U;
    s.is_synchronous_required = !is_pool && site.postgres->standby;
  }
  const std::uint64_t shared_buffers = std::max(128 * kMiB, site.postgres->shared_buffers.bytes);
  const std::uint64_t memory = std::max(kGiB, round_up_mib(shared_buffers * 4));
  s.pod = {.cpu_millicores = site.kind == UnitKind::kPool ? 500U : 1000U,
           .memory_request = memory,
           .memory_limit = memory};
  std::uint64_t data = 0;
  for (const auto& tenant : ns.tenants) data += tenant.plan->db_size.bytes;
  s.sidecar = {.cpu_millicores = 50, .memory_request = 128 * kMiB, .memory_limit = 512 * kMiB};
  s.storage_bytes = std::max(kMinDatabaseStorage, round_up_mib(data + data / 5));
  s.wal_storage_bytes = std::max(kMinWalStorage, round_up_mib(s.storage_bytes / 10));
  return s;
}

RedisSizing redis_sizing(const spec::RedisSettings& redis) {
  RedisSizing s;
  const std::uint64_t maxmemory = std::max(64 * kMiB, redis.maxmemory.bytes);
  // Rewriting the append-only file forks: copy-on-write needs room above maxmemory.
  s.redis = {.cpu_millicores = 100,
             .memory_request = maxmemory,
             .memory_limit = round_up_mib(maxmemory + maxmemory / 2 + 64 * kMiB)};
  s.exporter = {.cpu_millicores = 20, .memory_request = 32 * kMiB, .memory_limit = 64 * kMiB};
  s.init = {.cpu_millicores = 10, .memory_request = 16 * kMiB, .memory_limit = 32 * kMiB};
  s.storage_bytes = std::max(kGiB, round_up_mib(maxmemory * 3));
  return s;
}

NamespaceBudget namespace_budget(const Namespace& ns) {
  NamespaceBudget b;
  for (const auto& tenant : ns.tenants) {
    const OdooSizing s = odoo_sizing(*tenant.plan, tenant.is_production);
    add(b, s.web, s.web_max_replicas + 1);  // + the rolling update's surge
    add(b, s.websocket, s.websocket_replicas + 1);
    add(b, s.cron, s.cron_replicas);  // Recreate: no surge
    add(b, s.job, kJobsPerTenant);
    b.storage += s.filestore_bytes;
    b.volume_claims += 1;
  }
  if (ns.site) {
    const PostgresSizing pg = postgres_sizing(ns);
    add(b, pg.pod, pg.instances + 1);  // + CloudNativePG's initdb/join job
    b.cpu_request_millicores += pg.sidecar.cpu_millicores * pg.instances;  // Barman Cloud plugin
    b.memory_request += pg.sidecar.memory_request * pg.instances;
    b.memory_limit += pg.sidecar.memory_limit * pg.instances;
    b.storage += pg.instances * (pg.storage_bytes + pg.wal_storage_bytes);
    b.volume_claims += pg.instances * 2;
    const RedisSizing redis = redis_sizing(*ns.site->redis);
    add(b, redis.redis, 1);
    b.cpu_request_millicores += redis.exporter.cpu_millicores;  // a sidecar in the same pod
    b.memory_request += redis.exporter.memory_request;
    b.memory_limit += redis.exporter.memory_limit;
    b.storage += redis.storage_bytes;
    b.volume_claims += 1;
  } else {
    add(b, {.cpu_millicores = 50, .memory_request = 64 * kMiB, .memory_limit = 256 * kMiB}, 2);
  }
  b.cpu_request_millicores = with_headroom(b.cpu_request_millicores);
  b.memory_request = round_up_mib(with_headroom(b.memory_request));
  b.memory_limit = round_up_mib(with_headroom(b.memory_limit));
  b.pods = b.pods + 4;
  return b;
}

}  // namespace ballast::runtime::kubernetes
