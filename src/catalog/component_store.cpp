#include "catalog/component_store.h"

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ballast::catalog {
namespace {

constexpr std::string_view kColumns =
    "name, kind, owner, port, data_dir, pid, state, restarts, last_error, updated_at";

ComponentState state_from(std::string_view text) {
  for (auto s : {ComponentState::kStarting, ComponentState::kRunning, ComponentState::kStopped,
                 ComponentState::kFailed, ComponentState::kBackoff}) {
    if (to_string(s) == text) return s;
  }
  return ComponentState::kStopped;
}

ComponentRecord read_row(const Statement& s) {
  ComponentRecord r;
  r.name = s.text(0);
  r.kind = s.text(1);
  r.owner = s.text(2);
  if (!s.is_null(3)) r.port = static_cast<std::uint16_t>(s.integer(3));
  r.data_dir = s.text(4);
  if (!s.is_null(5)) r.pid = s.integer(5);
  r.state = state_from(s.text(6));
  r.restarts = s.integer(7);
  r.last_error = s.text(8);
  r.updated_at = core::parse_rfc3339(s.text(9)).value_or(core::SystemTime{});
  return r;
}

bool port_is_free(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return free;
}

}  // namespace

core::Result<std::uint16_t> free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return core::make_error(core::ErrorCode::kIo, "socket: {}", std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    const int e = errno;
    ::close(fd);
    return core::make_error(core::ErrorCode::kIo, "no free loopback port: {}", std::strerror(e));
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

core::Result<std::vector<ComponentRecord>> ComponentStore::list() {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(
      auto s, db_.prepare(fmt::format("SELECT {} FROM components ORDER BY name", kColumns)));
  std::vector<ComponentRecord> out;
  for (;;) {
    BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
    if (!row) break;
    out.push_back(read_row(s));
  }
  return out;
}

core::Result<std::optional<ComponentRecord>> ComponentStore::find(std::string_view name) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(
      auto s, db_.prepare(fmt::format("SELECT {} FROM components WHERE name = ?", kColumns)));
  s.bind(1, name);
  BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
  if (!row) return std::optional<ComponentRecord>();
  return std::optional<ComponentRecord>(read_row(s));
}

core::Status ComponentStore::save(const ComponentRecord& r) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(auto s,
                           db_.prepare(fmt::format("INSERT OR REPLACE INTO components ({}) VALUES "
                                                   "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                                                   kColumns)));
  s.bind(1, r.name).bind(2, r.kind).bind(3, r.owner);
  if (r.port)
    s.bind(4, static_cast<std::int64_t>(*r.port));
  else
    s.bind_null(4);
  s.bind(5, r.data_dir);
  if (r.pid)
    s.bind(6, *r.pid);
  else
    s.bind_null(6);
  s.bind(7, to_string(r.state)).bind(8, r.restarts).bind(9, r.last_error);
  s.bind(10, core::format_rfc3339(clock_.now()));
  return s.run();
}

core::Status ComponentStore::remove(std::string_view name) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(auto s, db_.prepare("DELETE FROM components WHERE name = ?"));
  s.bind(1, name);
  return s.run();
}

core::Result<std::optional<std::uint16_t>> ComponentStore::recorded_port(std::string_view owner) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(auto s, db_.prepare("SELECT port FROM ports WHERE owner = ?"));
  s.bind(1, owner);
  BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
  if (!row) return std::optional<std::uint16_t>();
  return std::optional<std::uint16_t>(static_cast<std::uint16_t>(s.integer(0)));
}

core::Result<std::uint16_t> ComponentStore::allocate_port(std::string_view owner,
                                                          std::uint16_t preferred) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(auto existing, recorded_port(owner));
  if (existing && (preferred == 0 || *existing == preferred)) return *existing;
  if (existing) BALLAST_TRY(release_port(owner));
  std::uint16_t port = preferred;
  for (int attempt = 0; port == 0 && attempt < 50; ++attempt) {
    BALLAST_ASSIGN_OR_RETURN(const std::uint16_t candidate, free_loopback_port());
    BALLAST_ASSIGN_OR_RETURN(auto taken, db_.prepare("SELECT owner FROM ports WHERE port = ?"));
    taken.bind(1, static_cast<std::int64_t>(candidate));
    BALLAST_ASSIGN_OR_RETURN(const bool used, taken.step());
    if (!used && port_is_free(candidate)) port = candidate;
  }
  BALLAST_ASSIGN_OR_RETURN(auto s, db_.prepare("INSERT INTO ports (port, owner) VALUES (?, ?)"));
  s.bind(1, static_cast<std::int64_t>(port)).bind(2, owner);
  auto inserted = s.run();
  if (!inserted.has_value()) {
    return core::make_error(core::ErrorCode::kConflict,
                            "port {} is already recorded for another "
                            "component",
                            port)
        .with_hint("Choose another port in the spec, or leave it 0 to allocate one.");
  }
  return port;
}

core::Status ComponentStore::release_port(std::string_view owner) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(auto s, db_.prepare("DELETE FROM ports WHERE owner = ?"));
  s.bind(1, owner);
  return s.run();
}

}  // namespace ballast::catalog
