// Internal to the renderer: how a plan, a pool or a stack turns into replicas, requests, limits
// and storage — one place, so the Deployments and the namespace quotas always agree.
// docs/kubernetes.md ("Sizing") states these rules for operators.
#pragma once

#include <cstdint>

#include "runtime/kubernetes/layout.h"
#include "spec/model.h"

namespace ballast::runtime::kubernetes {

inline constexpr std::uint64_t kMiB = 1024ULL * 1024;
inline constexpr std::uint64_t kGiB = 1024 * kMiB;

struct PodSize {
  std::uint64_t cpu_millicores = 0;
  std::uint64_t memory_request = 0;
  std::uint64_t memory_limit = 0;
};

// A tenant's Odoo on Kubernetes for one environment.
struct OdooSizing {
  std::uint32_t workers_per_pod = 0;  // Odoo HTTP workers in each web pod; 0: threaded
  std::uint32_t web_replicas = 1;     // and the HorizontalPodAutoscaler's minimum
  std::uint32_t web_max_replicas = 1;
  std::uint32_t websocket_replicas = 1;
  std::uint32_t cron_replicas = 1;  // 1, or 0 in a neutralized copy: never more than one
  std::uint32_t cron_threads = 1;
  PodSize web;
  PodSize websocket;
  PodSize cron;
  PodSize job;                          // each backup, drill or journey job
  PodSize init;                         // the container that assembles odoo.conf
  std::uint64_t limit_memory_soft = 0;  // per Odoo worker process
  std::uint64_t limit_memory_hard = 0;
  std::uint32_t db_maxconn = 2;  // per Odoo process, so the role's connection limit holds
  std::uint64_t filestore_bytes = 0;
};

OdooSizing odoo_sizing(const spec::Plan& plan, bool is_production);

// A site's PostgreSQL cluster for one environment.
struct PostgresSizing {
  std::uint32_t instances = 1;
  std::uint32_t synchronous_replicas = 0;
  bool is_synchronous_required = false;  // no acknowledged commit may be lost
  PodSize pod;
  PodSize sidecar;  // the Barman Cloud plugin's container in each instance
  std::uint64_t storage_bytes = 0;
  std::uint64_t wal_storage_bytes = 0;
};

PostgresSizing postgres_sizing(const Namespace& ns);

struct RedisSizing {
  PodSize redis;
  PodSize exporter;
  PodSize init;
  std::uint64_t storage_bytes = 0;
};

RedisSizing redis_sizing(const spec::RedisSettings& redis);

// What a namespace's pods may use at most (rolling-update surges, every job at once, the
// operators' helper pods), with headroom: its ResourceQuota and LimitRange.
struct NamespaceBudget {
  std::uint64_t cpu_request_millicores = 0;
  std::uint64_t memory_request = 0;
  std::uint64_t memory_limit = 0;
  std::uint64_t storage = 0;
  std::uint64_t max_container_memory = 0;
  std::uint32_t pods = 0;
  std::uint32_t volume_claims = 0;
};

NamespaceBudget namespace_budget(const Namespace& ns);

}  // namespace ballast::runtime::kubernetes
