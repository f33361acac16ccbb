#include "catalog/migrations.h"

#include <array>

#include <fmt/format.h>

namespace ballast::catalog {
namespace {

constexpr std::string_view kInitial = R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE tenants (
  name        TEXT PRIMARY KEY,
  tier        TEXT NOT NULL CHECK (tier IN ('shared', 'dedicated')),
  pool        TEXT NOT NULL DEFAULT '',
  stack       TEXT NOT NULL DEFAULT '',
  plan        TEXT NOT NULL,
  plan_json   TEXT NOT NULL DEFAULT '{}',
  domains     TEXT NOT NULL DEFAULT '[]',
  state       TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  generation  INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE components (
  name        TEXT PRIMARY KEY,
  kind        TEXT NOT NULL,
  owner       TEXT NOT NULL,
  port        INTEGER,
  data_dir    TEXT NOT NULL DEFAULT '',
  pid         INTEGER,
  state       TEXT NOT NULL,
  restarts    INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT NOT NULL DEFAULT '',
  updated_at  TEXT NOT NULL
);
CREATE TABLE ports (
  port   INTEGER PRIMARY KEY CHECK (port BETWEEN 1 AND 65535),
  owner  TEXT NOT NULL UNIQUE
);
CREATE TABLE secrets (
  scope       TEXT NOT NULL,
  name        TEXT NOT NULL,
  sealed      BLOB NOT NULL,
  key_id      TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  rotated_at  TEXT,
  PRIMARY KEY (scope, name)
);
CREATE TABLE events (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  at       TEXT NOT NULL,
  level    TEXT NOT NULL CHECK (level IN ('normal', 'warning')),
  subject  TEXT NOT NULL,
  reason   TEXT NOT NULL,
  message  TEXT NOT NULL
);
CREATE INDEX events_subject ON events (subject, id);
CREATE TABLE audit (
  seq        INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  actor      TEXT NOT NULL,
  action     TEXT NOT NULL,
  target     TEXT NOT NULL,
  outcome    TEXT NOT NULL,
  detail     TEXT NOT NULL,
  prev_hash  TEXT NOT NULL,
  hash       TEXT NOT NULL
);
CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;
)sql";

// Tenants created through the API or CLI are not the spec's: apply never deletes them.
constexpr std::string_view kTenantOrigin = R"sql(
ALTER TABLE tenants ADD COLUMN origin TEXT NOT NULL DEFAULT 'spec' CHECK (origin IN ('spec', 'api'));
)sql";

// Backups of every kind, with what they cost and what they cover.
constexpr std::string_view kBackups = R"sql(
CREATE TABLE backups (
  id           TEXT PRIMARY KEY,
  subject      TEXT NOT NULL,
  kind         TEXT NOT NULL,
  repository   TEXT NOT NULL,
  state        TEXT NOT NULL CHECK (state IN ('running', 'complete', 'failed', 'expired')),
  started_at   TEXT NOT NULL,
  finished_at  TEXT,
  size_bytes   INTEGER NOT NULL DEFAULT 0,
  stored_bytes INTEGER NOT NULL DEFAULT 0,
  lsn          TEXT NOT NULL DEFAULT '',
  point_in_time TEXT NOT NULL DEFAULT '',
  error        TEXT NOT NULL DEFAULT '',
  detail       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX backups_subject ON backups (subject, started_at);
)sql";

// Non-production copies of a tenant (staging, development) know their production tenant.
constexpr std::string_view kEnvironments = R"sql(
ALTER TABLE tenants ADD COLUMN parent TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN environment TEXT NOT NULL DEFAULT 'production';
)sql";

// API tokens (argon2id hashes only) and second factors (TOTP; the secret is sealed in secrets).
constexpr std::string_view kAccess = R"sql(
CREATE TABLE tokens (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  role          TEXT NOT NULL,
  tenants       TEXT NOT NULL DEFAULT '[]',
  hash          TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  created_by    TEXT NOT NULL,
  expires_at    TEXT,
  revoked_at    TEXT,
  revoked_by    TEXT NOT NULL DEFAULT '',
  last_used_at  TEXT
);
CREATE TABLE second_factors (
  holder        TEXT PRIMARY KEY,
  kind          TEXT NOT NULL CHECK (kind IN ('totp')),
  enrolled_at   TEXT NOT NULL,
  confirmed_at  TEXT,
  last_step     INTEGER NOT NULL DEFAULT -1
);
)sql";

// Evidence of continuity: restore drills and synthetic journey runs.
constexpr std::string_view kContinuity = R"sql(
CREATE TABLE drills (
  id           TEXT PRIMARY KEY,
  tenant       TEXT NOT NULL,
  started_at   TEXT NOT NULL,
  finished_at  TEXT,
  state        TEXT NOT NULL CHECK (state IN ('running', 'passed', 'failed')),
  detail       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX drills_tenant ON drills (tenant, started_at);
CREATE TABLE journey_runs (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant   TEXT NOT NULL,
  at       TEXT NOT NULL,
  place    TEXT NOT NULL CHECK (place IN ('production', 'drill')),
  journey  TEXT NOT NULL,
  ok       INTEGER NOT NULL,
  detail   TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX journey_runs_tenant ON journey_runs (tenant, journey, id);
)sql";

// Requests parked until a second approver agrees (security.approvals in the spec). The
// request body is sealed in `secrets` (scope "change/<id>", name "request"), not kept here.
constexpr std::string_view kPendingChanges = R"sql(
CREATE TABLE pending_changes (
  id            TEXT PRIMARY KEY,
  action        TEXT NOT NULL,
  operation     TEXT NOT NULL,
  method        TEXT NOT NULL,
  path          TEXT NOT NULL,
  params        TEXT NOT NULL DEFAULT '{}',
  target        TEXT NOT NULL,
  requester     TEXT NOT NULL,
  requester_json TEXT NOT NULL DEFAULT '{}',
  created_at    TEXT NOT NULL,
  expires_at    TEXT NOT NULL,
  state         TEXT NOT NULL CHECK (state IN
                  ('pending', 'approved', 'rejected', 'expired', 'executed')),
  decided_by    TEXT NOT NULL DEFAULT '',
  decided_at    TEXT,
  reason        TEXT NOT NULL DEFAULT '',
  outcome       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX pending_changes_state ON pending_changes (state, created_at);
)sql";

// Mail that neutralized copies sent to the platform's catcher (the newest of each tenant).
constexpr std::string_view kCaughtMail = R"sql(
CREATE TABLE caught_mail (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant       TEXT NOT NULL,
  received_at  TEXT NOT NULL,
  mail_from    TEXT NOT NULL,
  recipients   TEXT NOT NULL,
  subject      TEXT NOT NULL,
  size_bytes   INTEGER NOT NULL,
  message      BLOB NOT NULL
);
CREATE INDEX caught_mail_tenant ON caught_mail (tenant, id);
)sql";

// Caught mail is sealed under a key of its tenant (the secret store holds the key, under the
// master key): a copy's mail can hold production customers' data. Rows from before stay
// readable as they were (sealed = 0) until they age out.
constexpr std::string_view kCaughtMailSealed = R"sql(
ALTER TABLE caught_mail ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
)sql";

constexpr std::array kMigrations = {
    Migration{1, "tenants, components, ports, secrets, events and the audit chain", kInitial},
    Migration{2, "where a tenant came from: the spec or the API", kTenantOrigin},
    Migration{3, "backups", kBackups},
    Migration{4, "environments of tenants", kEnvironments},
    Migration{5, "API tokens and second factors", kAccess},
    Migration{6, "restore drills and synthetic journey runs", kContinuity},
    Migration{7, "changes parked for a second approver", kPendingChanges},
    Migration{8, "mail caught from neutralized copies", kCaughtMail},
    Migration{9, "caught mail sealed under a key of its tenant", kCaughtMailSealed},
};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

core::Status migrate(Database& db) {
  auto guard = db.lock();
  BALLAST_ASSIGN_OR_RETURN(auto stmt, db.prepare("PRAGMA user_version"));
  BALLAST_TRY(stmt.step());
  const auto current = stmt.integer(0);
  const int newest = kMigrations.back().version;
  if (current > newest) {
    return core::make_error(core::ErrorCode::kCorrupt,
                            "catalog '{}' has schema version {}, newer than this ballast ({})",
                            db.path().string(), current, newest)
        .with_hint("Run the newer ballast binary that wrote it, or restore an older state.");
  }
  for (const auto& m : kMigrations) {
    if (m.version <= current) continue;
    BALLAST_TRY(db.transaction([&]() -> core::Status {
      BALLAST_TRY(db.exec(m.sql));
      return db.exec(fmt::format("PRAGMA user_version = {}", m.version));
    }));
  }
  return core::ok();
}

}  // namespace ballast::catalog
