// Platform: the composition root. Built once per process from a validated spec; owns the
// catalog and the services that the CLI and the REST API both call.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "core/clock.h"
#include "reconcile/plan.h"
#include "spec/model.h"

namespace ballast::app {

// Who asks for a change, for the audit trail.
struct Actor {
  std::string id;  // "token:<id>", "cli:<user>", "daemon"
};

class Platform final {
 public:
  // Opens the state directory the spec names (creating it with kCreate).
  static core::Result<std::unique_ptr<Platform>> open(spec::Spec spec, catalog::OpenMode mode,
                                                      const core::Clock& clock);

  [[nodiscard]] const spec::Spec& spec() const { return spec_; }
  catalog::Catalog& catalog() { return *catalog_; }
  [[nodiscard]] const core::Clock& clock() const { return clock_; }
  [[nodiscard]] std::filesystem::path state_dir() const { return spec_.state_dir(); }

  // What the catalog records, shaped for the planner.
  core::Result<reconcile::Observed> observe();
  // The actions that would make the platform match the spec.
  core::Result<reconcile::Plan> plan();
  // A summary for `ballast status` and GET /api/v1/status.
  core::Result<nlohmann::json> status();
  // Appends to the audit chain; failures to audit are errors, never ignored.
  core::Status audit(const Actor& actor, std::string_view action, std::string_view target,
                     const core::Status& outcome, nlohmann::json detail = nlohmann::json::object());

 private:
  Platform(spec::Spec spec, const core::Clock& clock) : spec_(std::move(spec)), clock_(clock) {}
  spec::Spec spec_;
  const core::Clock& clock_;
  std::unique_ptr<catalog::Catalog> catalog_;
  core::SystemTime started_at_{};
};

// The state directory's well-known files (docs/formats/state-dir.md).
struct StatePaths {
  std::filesystem::path root;
  [[nodiscard]] std::filesystem::path token() const { return root / "api.token"; }
  [[nodiscard]] std::filesystem::path pid() const { return root / "daemon.pid"; }
  [[nodiscard]] std::filesystem::path lock() const { return root / "daemon.lock"; }
  [[nodiscard]] std::filesystem::path logs() const { return root / "logs"; }
  [[nodiscard]] std::filesystem::path log_file() const { return root / "logs" / "ballast.log"; }
};

}  // namespace ballast::app
