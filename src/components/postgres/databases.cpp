#include "components/postgres/databases.h"

#include <fmt/format.h>

namespace ballast::components::postgres {

core::Result<bool> role_exists(Connection& admin, const std::string& role) {
  BALLAST_ASSIGN_OR_RETURN(auto rows,
                           admin.query("SELECT 1 FROM pg_roles WHERE rolname = $1", {role}));
  return !rows.empty();
}

core::Result<bool> database_exists(Connection& admin, const std::string& database) {
  BALLAST_ASSIGN_OR_RETURN(auto rows,
                           admin.query("SELECT 1 FROM pg_database WHERE datname = $1", {database}));
  return !rows.empty();
}

core::Status ensure_template(Connection& admin, const std::string& name) {
  BALLAST_ASSIGN_OR_RETURN(const bool exists, database_exists(admin, name));
  if (!exists) {
    BALLAST_TRY(admin.exec(fmt::format("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'",
                                       admin.quote_identifier(name))));
  }
  // A template nobody may connect to but its owner; clones need no access of their own.
  BALLAST_TRY(admin.exec(
      fmt::format("REVOKE CONNECT ON DATABASE {} FROM PUBLIC", admin.quote_identifier(name))));
  return admin.exec(
      fmt::format("ALTER DATABASE {} IS_TEMPLATE true", admin.quote_identifier(name)));
}

core::Status ensure_role(Connection& admin, const std::string& role, const core::Secret& password) {
  BALLAST_ASSIGN_OR_RETURN(const std::string verifier, admin.scram_verifier(password, role));
  BALLAST_ASSIGN_OR_RETURN(const bool exists, role_exists(admin, role));
  const std::string verb = exists ? "ALTER" : "CREATE";
  return admin.exec(
      fmt::format("{} ROLE {} LOGIN NOSUPERUSER NOCREATEROLE NOREPLICATION PASSWORD {}", verb,
                  admin.quote_identifier(role), admin.quote_literal(verifier)));
}

core::Status set_password(Connection& admin, const std::string& role,
                          const core::Secret& password) {
  BALLAST_ASSIGN_OR_RETURN(const std::string verifier, admin.scram_verifier(password, role));
  return admin.exec(fmt::format("ALTER ROLE {} PASSWORD {}", admin.quote_identifier(role),
                                admin.quote_literal(verifier)));
}

core::Result<bool> ensure_database(Connection& admin, const TenantDatabase& db) {
  BALLAST_ASSIGN_OR_RETURN(const bool exists, database_exists(admin, db.name));
  const std::string name = admin.quote_identifier(db.name);
  if (!exists) {
    BALLAST_TRY(admin.exec(fmt::format(
        "CREATE DATABASE {} OWNER {} TEMPLATE {} STRATEGY FILE_COPY CONNECTION LIMIT {}", name,
        admin.quote_identifier(db.role), admin.quote_identifier(db.template_name),
        db.connection_limit)));
  } else {
    BALLAST_TRY(admin.exec(
        fmt::format("ALTER DATABASE {} OWNER TO {}", name, admin.quote_identifier(db.role))));
    BALLAST_TRY(set_connection_limit(admin, db.name, db.connection_limit));
  }
  BALLAST_TRY(
      admin.exec(fmt::format("REVOKE CONNECT, TEMPORARY ON DATABASE {} FROM PUBLIC", name)));
  return !exists;
}

core::Status set_connection_limit(Connection& admin, const std::string& database,
                                  std::uint32_t limit) {
  return admin.exec(fmt::format("ALTER DATABASE {} CONNECTION LIMIT {}",
                                admin.quote_identifier(database), limit));
}

core::Status drop_database(Connection& admin, const std::string& database) {
  BALLAST_TRY(admin.exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", {database}));
  return admin.exec(
      fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", admin.quote_identifier(database)));
}

core::Status drop_role(Connection& admin, const std::string& role) {
  return admin.exec(fmt::format("DROP ROLE IF EXISTS {}", admin.quote_identifier(role)));
}

core::Result<std::uint64_t> database_size_bytes(Connection& admin, const std::string& database) {
  BALLAST_ASSIGN_OR_RETURN(auto rows, admin.query("SELECT pg_database_size($1)", {database}));
  return static_cast<std::uint64_t>(std::stoull(rows.at(0, 0)));
}

core::Status allow_connections(Connection& admin, const std::string& database, bool allowed) {
  BALLAST_TRY(
      admin.exec(fmt::format("ALTER DATABASE {} ALLOW_CONNECTIONS {}",
                             admin.quote_identifier(database), allowed ? "true" : "false")));
  if (!allowed) {
    BALLAST_TRY(admin.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", {database}));
  }
  return core::ok();
}

}  // namespace ballast::components::postgres
