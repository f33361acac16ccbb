// Tenant databases inside a cluster: a role that owns a database cloned from the template,
// CONNECT revoked from PUBLIC, a connection limit. Every operation is idempotent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "components/postgres/connection.h"

namespace ballast::components::postgres {

struct TenantDatabase {
  std::string name;  // the database
  std::string role;  // its owner, the only role allowed in by pg_hba.conf
  std::uint32_t connection_limit = 20;
  std::string template_name = "ballast_template";
};

// The template tenants are cloned from; created empty when missing.
core::Status ensure_template(Connection& admin, const std::string& name);

// Creates the role (or resets its password) from a SCRAM verifier computed client-side.
core::Status ensure_role(Connection& admin, const std::string& role, const core::Secret& password);
// Gives an existing role a new password, as a SCRAM-SHA-256 verifier computed here (the
// password never reaches the server); nothing else about the role changes.
core::Status set_password(Connection& admin, const std::string& role, const core::Secret& password);
// Creates the database from the template with STRATEGY FILE_COPY (no WAL flood), owned by the
// role, CONNECT revoked from PUBLIC; updates the connection limit when it exists. True when
// it was created now.
core::Result<bool> ensure_database(Connection& admin, const TenantDatabase& db);
core::Status set_connection_limit(Connection& admin, const std::string& database,
                                  std::uint32_t limit);
// Terminates sessions then drops; absent objects are fine.
core::Status drop_database(Connection& admin, const std::string& database);
core::Status drop_role(Connection& admin, const std::string& role);

core::Result<bool> role_exists(Connection& admin, const std::string& role);
core::Result<bool> database_exists(Connection& admin, const std::string& database);
core::Result<std::uint64_t> database_size_bytes(Connection& admin, const std::string& database);
// Disallows (or allows) new connections, for suspension and maintenance.
core::Status allow_connections(Connection& admin, const std::string& database, bool allowed);

}  // namespace ballast::components::postgres
