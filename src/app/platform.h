// Platform: the composition root. Built once per process from a validated spec; owns the
// catalog, and in the daemon the embedded runtime; offers the service functions that the CLI
// and the REST API both call. Every change is audited. Thread-safe: changes are serialised.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "backup/filestore_keep.h"
#include "backup/repository/repository.h"
#include "backup/tenant_backup.h"
#include "catalog/catalog.h"
#include "components/odoo/rpc.h"
#include "core/clock.h"
#include "core/identity.h"
#include "drill/report.h"
#include "reconcile/apply.h"
#include "reconcile/plan.h"
#include "reconcile/tenant_ops.h"
#include "runtime/local/app_tier.h"
#include "runtime/local/local_runtime.h"
#include "spec/model.h"

namespace ballast::app {

// Who asks for a change, for the audit trail.
// Generated secrets beyond the tenants' own (reconcile::TenantSecret) that
// `ballast secret rotate` knows.
inline constexpr std::string_view kPlatformSecretKinds[] = {
    "postgres-admin-password", "redis-admin-password", "backup-key", "repository-passphrase"};

struct Actor {
  std::string id;             // "token:<id>", "daemon"
  std::string approved_by{};  // a second approver's holder id, when one let the change run
};

// What `tenant delete` needs besides the name.
struct DeleteRequest {
  std::string confirm;  // must equal the tenant's name
  std::string reason;
};

// What `ballast restore` asks for.
struct RestoreRequest {
  std::string tenant;
  std::string to = "latest";  // a backup id, or "latest"
  std::string as;             // restore into a new tenant of this name (the default)
  bool in_place = false;      // or replace the live tenant (needs confirm == tenant)
  std::string confirm;
  std::string reason;
  std::string repository;  // default: the tenant's primary repository
  // Point-in-time recovery (RFC 3339): the tenant's database as it was at that second, out of
  // its cluster's continuous archive, with the file-store objects it references.
  std::string at;
};

// What `ballast drill run` asks for.
struct DrillRequest {
  std::string tenant;
  std::string target = "latest";  // latest, random (in the recovery window), or RFC 3339
};

// A certificate HAProxy serves for tenant domains (certificate_service.cpp).
struct ServedCertificate {
  std::string tenant;                // "" for the default certificate (base domain, no SNI)
  std::vector<std::string> domains;  // the leaf's DNS names
  core::SystemTime not_after{};
  std::string serial_hex;
  bool is_supplied = false;  // from the spec's tls files, not the local CA
};

class Platform final {
 public:
  // Opens the state directory the spec names (creating it with kCreate).
  static core::Result<std::unique_ptr<Platform>> open(spec::Spec spec, catalog::OpenMode mode,
                                                      const core::Clock& clock);
  ~Platform();

  [[nodiscard]] const spec::Spec& spec() const { return spec_; }
  catalog::Catalog& catalog() { return *catalog_; }
  [[nodiscard]] const core::Clock& clock() const { return clock_; }
  [[nodiscard]] std::filesystem::path state_dir() const { return spec_.state_dir(); }

  // Daemon: brings up (or adopts) the recorded components, then applies the spec without
  // deleting anything.
  core::Result<reconcile::ApplyReport> start_runtime(const core::Identity& identity);
  [[nodiscard]] bool has_runtime() const { return runtime_ != nullptr; }
  // The embedded runtime once started (null before); for probes, metrics and tests.
  runtime::local::LocalRuntime* runtime() { return runtime_.get(); }
  // Supervision and periodic jobs (quota measurements, trash purge); the control loop calls
  // it about once a second.
  void tick();
  // Does what the backup schedules say is due now (scheduler.cpp); tick() calls it about every
  // 30 seconds on a thread of its own. One run at a time.
  void run_schedules();
  // Stops every component cleanly (PostgreSQL fast shutdown), newest first.
  void stop_runtime();

  // What exists: the catalog, plus drift found on the live components when running.
  core::Result<reconcile::Observed> observe();
  core::Result<reconcile::Plan> plan();
  // What apply would do with `next` (an edited spec), against what exists now.
  core::Result<reconcile::Plan> plan_for(const spec::Spec& next);
  // Applies `next` (or the current spec); `next` must keep the state directory and addresses.
  core::Result<reconcile::ApplyReport> apply(const spec::Spec* next,
                                             const reconcile::ApplyOptions& options,
                                             const Actor& actor);
  core::Result<nlohmann::json> status();

  // Tenants (same functions for the API and `apply`).
  core::Result<nlohmann::json> tenant_create(const nlohmann::json& request, const Actor& actor);
  core::Result<nlohmann::json> tenant_list();
  core::Result<nlohmann::json> tenant_show(const std::string& name);
  core::Result<nlohmann::json> tenant_suspend(const std::string& name, const Actor& actor);
  core::Result<nlohmann::json> tenant_resume(const std::string& name, const Actor& actor);
  core::Result<nlohmann::json> tenant_set_plan(const std::string& name, const std::string& plan,
                                               const Actor& actor);
  core::Result<nlohmann::json> tenant_add_domain(const std::string& name, const std::string& domain,
                                                 const Actor& actor);
  core::Result<nlohmann::json> tenant_remove_domain(const std::string& name,
                                                    const std::string& domain, const Actor& actor);
  core::Result<nlohmann::json> tenant_delete(const std::string& name, const DeleteRequest& request,
                                             const Actor& actor);

  // Module upgrade: backup (unless no_backup), maintenance page, `odoo-bin -u`, restart and
  // health check; on any failure the pre-upgrade backup is restored in place.
  core::Result<nlohmann::json> tenant_upgrade(const std::string& tenant,
                                              const std::vector<std::string>& modules,
                                              bool no_backup, const Actor& actor);
  // Odoo's backup zip (dump.sql, filestore/, manifest.json). Export writes it under the state
  // directory's exports/ and names it; import reads a zip placed in imports/ into a new tenant.
  core::Result<nlohmann::json> tenant_export(const std::string& tenant, const Actor& actor);
  core::Result<nlohmann::json> tenant_import(const std::string& name, const std::string& file,
                                             const nlohmann::json& placement, const Actor& actor);
  // A neutralized copy of a production tenant ("<tenant>-<name>"): its database and file store
  // copied, neutralized and verified before it starts; mail goes to the platform's catcher.
  core::Result<nlohmann::json> environment_create(const std::string& tenant,
                                                  const std::string& name,
                                                  spec::EnvironmentKind kind,
                                                  const std::vector<std::string>& domains,
                                                  const Actor& actor);

  // Mail a copy (staging, development) sent to the platform's catcher: newest first, at most
  // `limit`, without the text; with whether the catcher takes its mail now. A production
  // tenant's mail is delivered, not caught: kPreconditionFailed.
  core::Result<nlohmann::json> mail_list(const std::string& tenant, std::size_t limit);
  // One caught message with its text (headers and body, as sent).
  core::Result<nlohmann::json> mail_show(const std::string& tenant, std::int64_t id);
  // Forgets a copy's caught mail once `confirm` repeats its name; audited as mail.clear.
  core::Result<nlohmann::json> mail_clear(const std::string& tenant, const std::string& confirm,
                                          const Actor& actor);

  // Backups (Ballast's encrypted streaming tenant backups) and restores.
  core::Result<nlohmann::json> backup_create(const std::string& tenant,
                                             const std::string& repository,
                                             const std::string& reason, const Actor& actor,
                                             const backup::ProgressFn& progress = nullptr);
  core::Result<nlohmann::json> backup_list(const std::string& tenant,
                                           const std::string& repository);
  // One backup's manifest: parts with sizes and checksums, versions, modules, data checks.
  core::Result<nlohmann::json> backup_show(const std::string& tenant, const std::string& id,
                                           const std::string& repository);
  core::Result<nlohmann::json> backup_verify(const std::string& tenant, const std::string& id,
                                             const std::string& repository, const Actor& actor);
  // Applies the repository's daily/weekly/monthly retention to tenant backups (one tenant,
  // or all when empty); never deletes an object-locked backup (listed as locked).
  core::Result<nlohmann::json> backup_expire(const std::string& tenant,
                                             const std::string& repository, bool dry_run,
                                             const Actor& actor);
  // Copies a backup (as stored: encrypted, sealed) to another repository, e.g. off-site.
  core::Result<nlohmann::json> backup_copy(const std::string& tenant, const std::string& id,
                                           const std::string& from, const std::string& to,
                                           const Actor& actor,
                                           const backup::ProgressFn& progress = nullptr);
  core::Result<nlohmann::json> restore(const RestoreRequest& request, const Actor& actor,
                                       const backup::ProgressFn& progress = nullptr);
  // Cluster level (pgBackRest): a backup of a pool's or stack's cluster ("pool/main",
  // "stack/solo", or a bare name when unambiguous); type full, diff or incr; into every
  // repository of its backup policy, in order, or only the one named. Every repository is
  // tried; an error names those that failed.
  core::Result<nlohmann::json> cluster_backup(const std::string& host, const std::string& type,
                                              const Actor& actor,
                                              const std::string& repository = "");
  // Whether every WAL segment of the tenant's cluster's recovery window is in each repository;
  // kCorrupt naming the first missing segment (and an event) otherwise.
  core::Result<nlohmann::json> verify_wal(const catalog::TenantRecord& tenant, const Actor& actor);
  // The cluster backups of a host, and what point-in-time recovery can reach.
  core::Result<nlohmann::json> cluster_backups(const std::string& host);
  // A tenant's recovery window: the earliest and latest second a restore --at can reach.
  core::Result<nlohmann::json> recovery_window(const std::string& tenant);

  // Rotates a tenant's generated secret and updates its consumers (reconcile::TenantOps::
  // rotate_secret); `tenant` empty: every tenant's, one after the other, stopping at the first
  // failure. Each tenant's rotation is audited ("secret.rotate", target
  // "tenant/<name>/<kind>"). The answer never holds a secret.
  core::Result<nlohmann::json> secret_rotate(reconcile::TenantSecret kind,
                                             const std::string& tenant, const std::string& reason,
                                             const Actor& actor);
  // Rotates one of kPlatformSecretKinds: a cluster's PostgreSQL or Redis admin password
  // (`cluster`: a pool or stack; empty: every running one), a tenant's backup key (a new
  // generation; older backups keep theirs), or refuses a repository passphrase, which
  // pgBackRest cannot change in place. Audited per target; never answers a secret.
  core::Result<nlohmann::json> secret_rotate_platform(std::string_view kind,
                                                      const std::string& cluster,
                                                      const std::string& tenant,
                                                      const std::string& reason,
                                                      const Actor& actor);

  // Continuity evidence (continuity_service.cpp). The synthetic journeys through the proxy as
  // the tenant's synthetic user (set up on first use), recorded in the catalog.
  core::Result<nlohmann::json> journeys_run(const std::string& tenant);
  // A restore drill: the tenant's database recovered from its cluster's archive into a
  // sandbox, pg_amcheck, data checks, its file store, Odoo on the copy and the journeys on it;
  // RTO and RPO judged against the tenant's targets per business process. Always ends with a
  // verdict in the catalog (the answer's "passed"), and always cleans up.
  core::Result<nlohmann::json> drill_run(const DrillRequest& request, const Actor& actor,
                                         const backup::ProgressFn& progress = nullptr);
  // The tenant's drills, newest first, for the report.
  core::Result<drill::ReportInput> drill_history(const std::string& tenant);
  // Billing-cycle readiness of one tenant (or every tenant when empty): ready, at_risk or
  // not_ready, with the reasons.
  core::Result<nlohmann::json> readiness(const std::string& tenant);
  // The Prometheus exposition of every figure Ballast watches (GET /metrics).
  core::Result<std::string> metrics();
  // Every certificate HAProxy serves now, the default one first; empty without
  // platform.ingress.https or before the runtime started. kCorrupt naming the file when one
  // cannot be read as a certificate.
  core::Result<std::vector<ServedCertificate>> served_certificates();
  // The certificates the spec supplies checked at the clock's now: kSpecInvalid listing every
  // problem (tenant, file, what to do). Problems and certificates expiring soon are recorded
  // as warning events (CertificateRefused, CertificateExpiresSoon).
  core::Status check_certificates(const spec::Spec& spec);

  // Appends to the audit chain; failures to audit are errors, never ignored.
  core::Status audit(const Actor& actor, std::string_view action, std::string_view target,
                     const core::Status& outcome, nlohmann::json detail = nlohmann::json::object());

 private:
  Platform(spec::Spec spec, const core::Clock& clock) : spec_(std::move(spec)), clock_(clock) {}
  core::Status require_runtime() const;
  // The catalog record of a copy whose mail is caught; kNotFound or kPreconditionFailed.
  core::Result<catalog::TenantRecord> mail_tenant(const std::string& tenant);
  // A server certificate for the proxy from the local CA in <state>/ca: chain then key (PEM).
  core::Result<core::Secret> issue_certificate(const std::vector<std::string>& domains);
  // The repository a tenant's backups go to: `name`, else its pool's or stack's first.
  core::Result<std::pair<std::string, std::unique_ptr<backup::Repository>>> repository_for(
      const catalog::TenantRecord& tenant, const std::string& name);
  core::Result<backup::Manifest> pick_backup(const std::string& tenant, const std::string& to,
                                             backup::Repository& repository);
  // Fills an empty database and file store for `into` (the live tenant or a new one).
  using Loader = std::function<core::Status(const catalog::TenantRecord& into)>;
  core::Status restore_in_place(const catalog::TenantRecord& live, const Loader& load);
  // Of `modules` ("all" aside), those not installed in the tenant's database.
  core::Result<std::vector<std::string>> modules_not_installed(
      const catalog::TenantRecord& tenant, const std::vector<std::string>& modules);
  // The host a name designates ("pool/main", "stack/solo", "main").
  core::Result<runtime::local::HostRef> host_named(const std::string& name) const;
  std::mutex schedule_run_;
  spec::Continuity continuity_of(const std::string& tenant) const;

 public:
  enum class Readiness { kReady, kAtRisk, kNotReady };  // ordered: worse is greater

 private:
  // A cluster's archiving and connections, observed.
  struct ClusterArchive {
    double lag_seconds = -1;         // now − the last archived WAL segment; -1: never
    double unarchived_seconds = -1;  // 0 when nothing was written since
    double connections = 0;
    double max_connections = 0;
  };
  core::Result<ClusterArchive> cluster_archive(const runtime::local::HostRef& host);
  // Everything readiness and metrics say about a tenant, observed once.
  struct TenantView {
    catalog::TenantRecord record;
    spec::Continuity continuity;
    std::optional<ClusterArchive> archive;
    std::optional<catalog::BackupRecord> tenant_backup;  // newest complete
    double rpo_seconds = -1;
    std::optional<catalog::DrillRecord> last_drill;
    std::vector<catalog::JourneyRun> journeys;
    std::map<std::string, int> failures;  // journey → consecutive failures
    bool in_freeze = false;
    spec::Duration drill_every{};
    Readiness status = Readiness::kReady;
    std::vector<std::string> reasons;
  };
  core::Result<TenantView> observe_tenant(const catalog::TenantRecord& t);
  core::Result<core::Secret> synthetic_password(const std::string& tenant);
  core::Result<components::odoo::Endpoint> proxy_endpoint(const catalog::TenantRecord& t) const;
  // Journeys and drills that are due (scheduler.cpp, after the backups).
  void run_continuity_schedules(const std::vector<catalog::TenantRecord>& tenants,
                                core::SystemTime now);
  static constexpr std::chrono::minutes kJourneyInterval{5};
  // Drills a daemon left running when it died: failed, with the reason.
  core::Status close_interrupted_drills();
  std::mutex synthetic_mutex_;
  std::set<std::string> synthetic_ready_;  // tenants whose synthetic user is set up
  std::set<std::string> drilling_;         // clusters with a drill running
  void measure_quotas();
  // Runs a tenant change: serialised, audited, JSON of the tenant afterwards.
  core::Result<nlohmann::json> tenant_change(
      const std::string& name, std::string_view action, const Actor& actor,
      const std::function<core::Result<reconcile::Outcome>()>& change,
      nlohmann::json detail = nlohmann::json::object());

  spec::Spec spec_;
  const core::Clock& clock_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<runtime::local::LocalRuntime> runtime_;
  std::unique_ptr<runtime::local::AppTier> app_;
  std::unique_ptr<reconcile::TenantOps> ops_;
  std::unique_ptr<backup::TenantBackups> backups_;
  std::unique_ptr<backup::FilestoreKeep> keep_;
  std::recursive_mutex changes_;
  std::mutex cluster_jobs_;     // pgBackRest jobs (backup, verify), one at a time
  std::future<void> schedule_;  // the scheduler's current run, off the control loop
  core::SteadyTime next_schedule_check_{};
  std::atomic<bool> stopping_{false};
  core::SystemTime started_at_{};
  core::SteadyTime next_quota_check_{};
  core::SteadyTime next_trash_purge_{};
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

nlohmann::json tenant_json(const catalog::TenantRecord& t);

std::string_view to_string(Platform::Readiness readiness);

}  // namespace ballast::app
