#include "monitor/metrics.h"

#include <cmath>

#include <fmt/format.h>

namespace ballast::monitor {

const std::vector<MetricDef>& all_metrics() {
  using namespace metric;  // NOLINT(google-build-using-namespace): the table below
  static const std::vector<MetricDef> all = {kRpo,
                                             kRpoTarget,
                                             kRtoTarget,
                                             kDrillRto,
                                             kDrillRpo,
                                             kDrillSuccess,
                                             kDrillTimestamp,
                                             kJourneyDuration,
                                             kJourneySuccess,
                                             kJourneyFailures,
                                             kBackupAge,
                                             kBackupSize,
                                             kBackupDuration,
                                             kReadiness,
                                             kInFreeze,
                                             kComponentUp,
                                             kComponentRestarts,
                                             kArchiveLag,
                                             kPostgresConnections,
                                             kPostgresMaxConnections,
                                             kDatabaseSize,
                                             kRedisMemory,
                                             kRedisEvictions,
                                             kProxyRequests,
                                             kProxyResponses,
                                             kProxyRateLimited,
                                             kCertificateExpiry,
                                             kDiskFree,
                                             kDiskFreeRatio,
                                             kCondition};
  return all;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void Exposition::add(const MetricDef& def, Labels labels, double value) {
  samples_[def.name].emplace_back(std::move(labels), value);
}

namespace {

std::string number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) return fmt::format("{:.0f}", value);
  return fmt::format("{}", value);
}

}  // namespace

std::string Exposition::text() const {
  std::string out;
  for (const auto& def : all_metrics()) {
    auto found = samples_.find(def.name);
    if (found == samples_.end()) continue;
    out += fmt::format("# HELP {} {}.\n# TYPE {} {}\n", def.name, def.help, def.name,
                       def.type == MetricType::kCounter ? "counter" : "gauge");
    for (const auto& [labels, value] : found->second) {
      out += def.name;
      if (!labels.empty()) {
        out += '{';
        bool first = true;
        for (const auto& [key, val] : labels) {
          if (!first) out += ',';
          first = false;
          out += fmt::format("{}=\"{}\"", key, escape_label_value(val));
        }
        out += '}';
      }
      out += ' ';
      out += number(value);
      out += '\n';
    }
  }
  return out;
}

}  // namespace ballast::monitor
