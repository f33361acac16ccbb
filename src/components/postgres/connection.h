// A libpq connection (RAII) with parameterised queries and identifier/literal quoting.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <libpq-fe.h>

#include "core/result.h"
#include "core/secret.h"

namespace ballast::components::postgres {

struct ConnectionParams {
  std::string host;  // a socket directory (starts with '/') or an address
  std::uint16_t port = 5432;
  std::string user;
  core::Secret password;
  std::string database = "postgres";
  int connect_timeout_seconds = 5;
};

// Rows of text values; nullopt-free: SQL NULL reads as "".
struct Rows {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> values;
  [[nodiscard]] bool empty() const { return values.empty(); }
  [[nodiscard]] const std::string& at(std::size_t row, std::size_t column) const {
    return values.at(row).at(column);
  }
};

class Connection final {
 public:
  // kUnavailable when the server cannot be reached; kUnauthenticated on a bad password.
  static core::Result<Connection> open(const ConnectionParams& params);
  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&&) noexcept = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() = default;

  // Runs one statement with $1… parameters; kComponentFailed quoting the server's message.
  core::Result<Rows> query(std::string_view sql, const std::vector<std::string>& params = {});
  core::Status exec(std::string_view sql, const std::vector<std::string>& params = {});
  // "name" quoted as an identifier / 'text' as a literal, by libpq.
  [[nodiscard]] std::string quote_identifier(std::string_view name) const;
  [[nodiscard]] std::string quote_literal(std::string_view text) const;
  // A SCRAM-SHA-256 verifier for `password`, computed here so no plaintext reaches the server.
  core::Result<std::string> scram_verifier(const core::Secret& password, std::string_view role);
  [[nodiscard]] int server_version() const;

 private:
  struct Closer {
    void operator()(PGconn* conn) const { PQfinish(conn); }
  };
  explicit Connection(PGconn* conn) : conn_(conn) {}
  std::unique_ptr<PGconn, Closer> conn_;
};

}  // namespace ballast::components::postgres
