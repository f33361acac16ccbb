// A Grafana dashboard of Ballast's metrics: continuity (RPO, drills, backups, archiving),
// journeys, readiness and the platform's health, one row of panels per concern, filtered by a
// `tenant` variable. Every query names metrics through metrics.h.
#pragma once

#include <nlohmann/json.hpp>

#include "spec/model.h"

namespace ballast::monitor {

// The dashboard model (schemaVersion 39) for Grafana's import or provisioning. The spec names
// the dashboard; the tenant list comes from Prometheus at view time, so one dashboard serves
// as tenants come and go. Pure.
nlohmann::json render_dashboard(const spec::Spec& spec);

}  // namespace ballast::monitor
