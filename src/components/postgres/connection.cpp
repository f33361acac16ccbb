#include "components/postgres/connection.h"

#include <fmt/format.h>

namespace ballast::components::postgres {
namespace {

struct ResultCloser {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultCloser>;

std::string first_line(const char* text) {
  std::string s = text != nullptr ? text : "";
  const auto nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}

}  // namespace

core::Result<Connection> Connection::open(const ConnectionParams& p) {
  const std::string port = std::to_string(p.port);
  const std::string timeout = std::to_string(p.connect_timeout_seconds);
  const char* keys[] = {
      "host", "port", "user", "password", "dbname", "connect_timeout", "application_name", nullptr};
  const char* values[] = {
      p.host.c_str(),     port.c_str(),    p.user.c_str(), p.password.reveal().c_str(),
      p.database.c_str(), timeout.c_str(), "ballast",      nullptr};
  PGconn* raw = PQconnectdbParams(keys, values, 0);
  Connection conn(raw);
  if (raw == nullptr || PQstatus(raw) != CONNECTION_OK) {
    const std::string message = first_line(raw != nullptr ? PQerrorMessage(raw) : "out of memory");
    const bool auth = message.find("password authentication failed") != std::string::npos ||
                      message.find("no pg_hba.conf entry") != std::string::npos ||
                      message.find("permission denied") != std::string::npos;
    return core::make_error(
        auth ? core::ErrorCode::kUnauthenticated : core::ErrorCode::kUnavailable,
        "cannot connect to PostgreSQL at {}:{} as '{}' to '{}': {}", p.host, p.port, p.user,
        p.database, message);
  }
  return conn;
}

core::Result<Rows> Connection::query(std::string_view sql, const std::vector<std::string>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& v : params) values.push_back(v.c_str());
  const std::string text(sql);
  PgResult result(PQexecParams(conn_.get(), text.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0));
  const auto status = PQresultStatus(result.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    return core::make_error(core::ErrorCode::kComponentFailed, "PostgreSQL refused '{}': {}",
                            text.substr(0, 80), first_line(PQerrorMessage(conn_.get())));
  }
  Rows rows;
  const int columns = PQnfields(result.get());
  for (int c = 0; c < columns; ++c) rows.columns.emplace_back(PQfname(result.get(), c));
  for (int r = 0; r < PQntuples(result.get()); ++r) {
    std::vector<std::string> row;
    for (int c = 0; c < columns; ++c) row.emplace_back(PQgetvalue(result.get(), r, c));
    rows.values.push_back(std::move(row));
  }
  return rows;
}

core::Status Connection::exec(std::string_view sql, const std::vector<std::string>& params) {
  BALLAST_TRY(query(sql, params));
  return core::ok();
}

std::string Connection::quote_identifier(std::string_view name) const {
  char* quoted = PQescapeIdentifier(conn_.get(), name.data(), name.size());
  std::string out = quoted != nullptr ? quoted : "\"\"";
  PQfreemem(quoted);
  return out;
}

std::string Connection::quote_literal(std::string_view text) const {
  char* quoted = PQescapeLiteral(conn_.get(), text.data(), text.size());
  std::string out = quoted != nullptr ? quoted : "''";
  PQfreemem(quoted);
  return out;
}

core::Result<std::string> Connection::scram_verifier(const core::Secret& password,
                                                     std::string_view role) {
  const std::string user(role);
  char* verifier =
      PQencryptPasswordConn(conn_.get(), password.reveal().c_str(), user.c_str(), "scram-sha-256");
  if (verifier == nullptr) {
    return core::make_error(core::ErrorCode::kComponentFailed,
                            "cannot compute a SCRAM verifier for role '{}'", role);
  }
  std::string out = verifier;
  PQfreemem(verifier);
  return out;
}

int Connection::server_version() const { return PQserverVersion(conn_.get()); }

}  // namespace ballast::components::postgres
