// The drill report: a tenant's restore drills as evidence — a self-contained HTML page (no
// scripts, no external assets: it can be archived and mailed to an auditor) with RTO and RPO
// over time drawn against the targets, and every drill's verdict and reasons.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/continuity_store.h"
#include "spec/model.h"

namespace ballast::drill {

struct ReportInput {
  std::string platform;
  std::string tenant;
  spec::Continuity continuity;
  std::vector<catalog::DrillRecord> drills;  // newest first, as the catalog lists them
  std::string generated_at;                  // RFC 3339
};

nlohmann::json report_json(const ReportInput& input);
// Back from report_json (the CLI renders the page from the API's answer).
ReportInput report_input_from_json(const nlohmann::json& json);
std::string report_html(const ReportInput& input);

}  // namespace ballast::drill
