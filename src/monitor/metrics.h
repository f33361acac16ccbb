// The metrics Ballast exposes, declared once (name, type, help), and their Prometheus text
// exposition (format 0.0.4): each family's HELP and TYPE once, then its samples, label values
// escaped. The alert rules and the dashboard refer to these declarations, not to spelled names.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ballast::monitor {

enum class MetricType { kGauge, kCounter };

struct MetricDef {
  std::string_view name;
  MetricType type;
  std::string_view help;
};

using Labels = std::vector<std::pair<std::string, std::string>>;

namespace metric {
// Continuity, per tenant.
inline constexpr MetricDef kRpo{"ballast_rpo_seconds", MetricType::kGauge,
                                "Worst-case data-loss window now: seconds since the newest change "
                                "that is safe off the database (archived WAL or a backup)"};
inline constexpr MetricDef kRpoTarget{"ballast_rpo_target_seconds", MetricType::kGauge,
                                      "The tenant's recovery point objective per business process"};
inline constexpr MetricDef kRtoTarget{"ballast_rto_target_seconds", MetricType::kGauge,
                                      "The tenant's recovery time objective per business process"};
inline constexpr MetricDef kDrillRto{"ballast_drill_rto_seconds", MetricType::kGauge,
                                     "Recovery time measured by the last restore drill"};
inline constexpr MetricDef kDrillRpo{"ballast_drill_rpo_seconds", MetricType::kGauge,
                                     "Data-loss window measured by the last restore drill"};
inline constexpr MetricDef kDrillSuccess{"ballast_drill_success", MetricType::kGauge,
                                         "1 when the last restore drill passed, else 0"};
inline constexpr MetricDef kDrillTimestamp{"ballast_drill_last_run_timestamp_seconds",
                                           MetricType::kGauge,
                                           "When the last restore drill finished (Unix time)"};
inline constexpr MetricDef kJourneyDuration{"ballast_journey_duration_seconds", MetricType::kGauge,
                                            "Latency of each step of the last synthetic journey"};
inline constexpr MetricDef kJourneySuccess{"ballast_journey_success", MetricType::kGauge,
                                           "1 when the last run of the journey passed, else 0"};
inline constexpr MetricDef kJourneyFailures{
    "ballast_journey_consecutive_failures", MetricType::kGauge,
    "How many runs of the journey in a row have failed (0 after a pass)"};
inline constexpr MetricDef kBackupAge{"ballast_backup_age_seconds", MetricType::kGauge,
                                      "Age of the newest complete backup of each kind"};
inline constexpr MetricDef kBackupSize{"ballast_backup_size_bytes", MetricType::kGauge,
                                       "Stored size of the newest complete backup of each kind"};
inline constexpr MetricDef kBackupDuration{"ballast_backup_duration_seconds", MetricType::kGauge,
                                           "Duration of the newest complete backup of each kind"};
inline constexpr MetricDef kReadiness{"ballast_tenant_readiness", MetricType::kGauge,
                                      "Billing-cycle readiness: 1 for the tenant's current status "
                                      "(ready, at_risk, not_ready), 0 for the others"};
inline constexpr MetricDef kInFreeze{"ballast_tenant_in_freeze", MetricType::kGauge,
                                     "1 while the tenant's calendar is in a change freeze"};
// Components and the host.
inline constexpr MetricDef kComponentUp{"ballast_component_up", MetricType::kGauge,
                                        "1 when the supervised component is running"};
inline constexpr MetricDef kComponentRestarts{"ballast_component_restarts_total",
                                              MetricType::kCounter,
                                              "Restarts of the component by the supervisor"};
inline constexpr MetricDef kArchiveLag{"ballast_archive_lag_seconds", MetricType::kGauge,
                                       "Seconds since the cluster last archived a WAL segment"};
inline constexpr MetricDef kPostgresConnections{"ballast_postgres_connections", MetricType::kGauge,
                                                "Open connections to the PostgreSQL cluster"};
inline constexpr MetricDef kPostgresMaxConnections{
    "ballast_postgres_max_connections", MetricType::kGauge, "The cluster's max_connections"};
inline constexpr MetricDef kDatabaseSize{"ballast_database_size_bytes", MetricType::kGauge,
                                         "Size of the tenant's database"};
inline constexpr MetricDef kRedisMemory{"ballast_redis_memory_bytes", MetricType::kGauge,
                                        "Memory used by the Redis server"};
inline constexpr MetricDef kRedisEvictions{"ballast_redis_evicted_keys_total", MetricType::kCounter,
                                           "Keys Redis has evicted"};
inline constexpr MetricDef kProxyRequests{"ballast_proxy_requests_total", MetricType::kCounter,
                                          "HTTP requests the proxy received for the tenant"};
inline constexpr MetricDef kProxyResponses{"ballast_proxy_responses_total", MetricType::kCounter,
                                           "HTTP responses the proxy sent, by status class"};
inline constexpr MetricDef kProxyRateLimited{
    "ballast_proxy_rate_limited_total", MetricType::kCounter,
    "Requests the proxy refused with 429 under the tenant's rate limit"};
inline constexpr MetricDef kCertificateExpiry{"ballast_certificate_expiry_seconds",
                                              MetricType::kGauge,
                                              "Seconds until the certificate expires"};
inline constexpr MetricDef kDiskFree{"ballast_state_disk_free_bytes", MetricType::kGauge,
                                     "Free space on the file system of the state directory"};
inline constexpr MetricDef kDiskFreeRatio{"ballast_state_disk_free_ratio", MetricType::kGauge,
                                          "Free share (0..1) of the state directory's file system"};
inline constexpr MetricDef kCondition{"ballast_condition", MetricType::kGauge,
                                      "1 when the subject's condition holds, else 0"};
}  // namespace metric

// Every declared metric, in the order they are exposed.
const std::vector<MetricDef>& all_metrics();

class Exposition final {
 public:
  // One sample; families appear in all_metrics() order whatever the order of calls.
  void add(const MetricDef& def, Labels labels, double value);
  // The text format; families without samples are left out.
  [[nodiscard]] std::string text() const;

 private:
  std::map<std::string_view, std::vector<std::pair<Labels, double>>> samples_;
};

// A label value as the text format writes it: backslash, double quote and newline escaped.
std::string escape_label_value(std::string_view value);

}  // namespace ballast::monitor
