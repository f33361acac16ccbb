// The declarative model of a Ballast installation (DESIGN.md): what `ballast.yaml` says.
// Plain values; loaded and validated by loader.h, explained by the tables in model_schema.cpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "spec/units.h"

namespace ballast::spec {

enum class RepositoryType { kPosix, kS3 };
enum class LockMode { kGovernance, kCompliance };
enum class Tier { kShared, kDedicated };
enum class EnvironmentKind { kStaging, kDevelopment };
enum class OdooVersion { k16, k17, k18 };
enum class EvictionPolicy { kNoEviction, kAllKeysLru, kVolatileLru, kAllKeysLfu, kVolatileLfu };
enum class Weekday { kMon, kTue, kWed, kThu, kFri, kSat, kSun };

struct Retention {
  std::uint32_t daily = 7;
  std::uint32_t weekly = 4;
  std::uint32_t monthly = 3;
  // How far back the oldest kept backup reaches.
  [[nodiscard]] Duration window() const;
};

struct ObjectLock {
  LockMode mode = LockMode::kGovernance;
  Duration period{0};
};

struct Repository {
  std::string name;
  RepositoryType type = RepositoryType::kPosix;
  std::string path;      // posix: a directory (relative to the spec file)
  std::string endpoint;  // s3
  std::string bucket;
  std::string region;
  std::string prefix;
  std::string access_key_id_env;  // names of environment variables, never the keys
  std::string secret_access_key_env;
  bool verify_tls = true;
  std::string ca_file;
  Retention retention;
  std::optional<ObjectLock> object_lock;
};

struct Plan {
  std::string name;
  std::uint32_t workers = 0;  // 0: threaded Odoo (small tenants); >0: prefork + gevent
  std::uint32_t cron_workers = 1;
  ByteSize memory{};
  ByteSize db_size{};
  ByteSize filestore_size{};
  std::uint32_t connections = 20;
  Rate request_rate{};
};

struct PostgresSettings {
  std::uint16_t port = 0;  // 0: allocated and recorded
  std::uint32_t max_connections = 100;
  ByteSize shared_buffers{};
  bool standby = false;  // a synchronous standby under Patroni (dedicated stacks)
};

struct RedisSettings {
  std::uint16_t port = 0;
  ByteSize maxmemory{};
  EvictionPolicy maxmemory_policy = EvictionPolicy::kAllKeysLru;
};

struct BackupSchedule {
  Duration full{};
  Duration differential{};
  Duration incremental{};
  Duration tenant{};  // Ballast's own streaming tenant backup
  Duration verify{};
  Duration drill{};  // restore drill of each tenant on the pool or stack
};

struct BackupPolicy {
  std::vector<std::string> repositories;
  BackupSchedule schedule;
  std::uint32_t process_max = 2;
};

struct Pool {
  std::string name;
  std::uint32_t max_tenants = 0;  // 0: no limit
  PostgresSettings postgres;
  RedisSettings redis;
  BackupPolicy backup;
};

struct Stack {
  std::string name;
  PostgresSettings postgres;
  RedisSettings redis;
  BackupPolicy backup;
};

struct MonthlyDays {
  int from_day = 0;  // 1..31, or negative counted from the month's end (-1 = last day)
  int to_day = 0;
};

struct DateRange {
  std::string from;  // YYYY-MM-DD
  std::string to;
};

struct Freeze {
  std::string name;
  std::optional<MonthlyDays> monthly;
  std::optional<DateRange> dates;
};

struct ChangeWindow {
  std::string name;
  std::vector<Weekday> days;
  std::string from;  // HH:MM, in the calendar's time zone
  std::string to;
};

struct Calendar {
  std::string name;
  std::string timezone;
  std::vector<ChangeWindow> change_windows;
  std::vector<Freeze> freezes;
};

struct Target {
  Duration rpo{};
  Duration rto{};
};

struct Continuity {
  Target timesheets;
  Target billing;
  Target reporting;
  // The tightest RPO and RTO over the business processes.
  [[nodiscard]] Duration tightest_rpo() const;
  [[nodiscard]] Duration tightest_rto() const;
};

struct Environment {
  std::string name;
  EnvironmentKind kind = EnvironmentKind::kStaging;
  std::vector<std::string> domains;  // empty: <tenant>-<name>.<base_domain>
};

// A certificate the operator supplies (from their own CA or an ACME client run outside
// Ballast) instead of one issued by the local CA. Paths are relative to the spec file.
struct TlsFiles {
  std::string certificate;  // PEM: the leaf first, then its chain
  std::string key;          // PEM: the leaf's private key
};

struct Tenant {
  std::string name;
  std::string display_name;
  Tier tier = Tier::kShared;
  std::string pool;   // shared tier
  std::string stack;  // dedicated tier
  std::string plan;
  std::vector<std::string> domains;
  std::vector<Environment> environments;
  std::string calendar;
  Continuity continuity;
  std::vector<std::string> modules;  // Odoo modules beyond the platform's
  std::optional<TlsFiles> tls;       // unset: a certificate from the local CA
};

struct OdooProfile {
  OdooVersion version = OdooVersion::k18;
  std::string source;  // an Odoo source tree with odoo-bin; empty: none configured
  std::vector<std::string> addons_paths;
  std::vector<std::string> modules;
};

struct Ingress {
  HostPort http;
  std::optional<HostPort> https;
  std::string base_domain;
  std::optional<TlsFiles> tls;  // the default certificate; unset: from the local CA
};

struct Platform {
  std::string name;
  std::string state_dir;  // relative to the spec file
  Ingress ingress;
  HostPort api;
  bool api_tls = false;  // the API over TLS, with a certificate from the local CA
  Duration trash_retention{};
  OdooProfile odoo;
};

// Actions a second approver may be demanded for (security.approvals); the API's route table
// marks the routes that perform them (api/route.h, requires_approval).
inline constexpr std::string_view kApprovalActions[] = {
    "tenant.delete", "restore.in_place", "secret.rotate", "token.create.platform-admin",
    "shutdown",      "master-key.rotate"};

struct Security {
  // Actions parked until a second platform admin approves them (`ballast change approve`).
  std::vector<std::string> approvals;
  [[nodiscard]] bool needs_approval(std::string_view action) const;
};

struct Spec {
  std::uint32_t version = 1;
  Platform platform;
  Security security;
  std::vector<Repository> repositories;
  std::vector<Plan> plans;
  std::vector<Pool> pools;
  std::vector<Stack> stacks;
  std::vector<Calendar> calendars;
  std::vector<Tenant> tenants;

  // Where it came from: the file, and each field path's position ("tenants[2].plan").
  std::filesystem::path file;
  std::map<std::string, YAML::Mark> positions;

  [[nodiscard]] const Tenant* find_tenant(std::string_view name) const;
  [[nodiscard]] const Plan* find_plan(std::string_view name) const;
  [[nodiscard]] const Pool* find_pool(std::string_view name) const;
  [[nodiscard]] const Stack* find_stack(std::string_view name) const;
  [[nodiscard]] const Repository* find_repository(std::string_view name) const;
  [[nodiscard]] const Calendar* find_calendar(std::string_view name) const;
  // state_dir resolved against the spec file's directory.
  [[nodiscard]] std::filesystem::path state_dir() const;
  // A path from the spec resolved against the spec file's directory.
  [[nodiscard]] std::filesystem::path resolve(const std::string& path) const;
};

std::string_view to_string(Tier tier);
std::string_view to_string(RepositoryType type);
std::string_view to_string(EvictionPolicy policy);
std::string_view to_string(OdooVersion version);
std::string_view to_string(EnvironmentKind kind);
std::string_view to_string(Weekday day);

}  // namespace ballast::spec
