#include "components/haproxy/runtime_api.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/text.h"

namespace ballast::components::haproxy {

std::map<std::string, std::string> parse_map(const std::string& text) {
  std::map<std::string, std::string> out;
  for (const auto& line : core::split(text, '\n')) {
    const auto t = core::trim(line);
    if (t.empty() || t.front() == '#') continue;
    const auto space = t.find(' ');
    if (space == std::string_view::npos) continue;
    out[std::string(t.substr(0, space))] = std::string(core::trim(t.substr(space + 1)));
  }
  return out;
}

core::Result<std::string> RuntimeApi::send(const std::string& command) const {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return core::make_error(core::ErrorCode::kIo, "socket: {}", std::strerror(errno));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string path = socket_.string();
  if (path.size() >= sizeof addr.sun_path) {
    ::close(fd);
    return core::make_error(core::ErrorCode::kInvalidArgument, "socket path '{}' is too long",
                            path);
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int e = errno;
    ::close(fd);
    return core::make_error(core::ErrorCode::kUnavailable,
                            "HAProxy's runtime API at '{}' is not "
                            "answering: {}",
                            path, std::strerror(e));
  }
  const std::string line = command + "\n";
  (void)!::write(fd, line.data(), line.size());
  std::string answer;
  char buffer[8192];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0)
    answer.append(buffer, static_cast<std::size_t>(n));
  ::close(fd);
  return answer;
}

std::map<std::string, std::map<std::string, std::int64_t>> parse_table(const std::string& text) {
  std::map<std::string, std::map<std::string, std::int64_t>> out;
  for (const auto& line : core::split(text, '\n')) {
    const auto trimmed = std::string(core::trim(line));
    if (trimmed.rfind("0x", 0) != 0) continue;  // "# table: …" and blank lines
    std::string key;
    std::map<std::string, std::int64_t> counters;
    for (const auto& field : core::split(trimmed, ' ')) {
      const auto eq = field.find('=');
      if (eq == std::string::npos) continue;
      const auto name = field.substr(0, eq);
      const auto value = field.substr(eq + 1);
      if (name == "key") {
        key = value;
        continue;
      }
      char* end = nullptr;
      const long long n = std::strtoll(value.c_str(), &end, 10);
      if (end != value.c_str() && *end == '\0') counters[name] = n;
    }
    if (!key.empty()) out[key] = std::move(counters);
  }
  return out;
}

core::Result<std::map<std::string, std::map<std::string, std::int64_t>>> RuntimeApi::show_table(
    const std::string& table) const {
  BALLAST_ASSIGN_OR_RETURN(auto answer, send("show table " + table));
  if (answer.rfind("# table:", 0) != 0) {
    return core::make_error(core::ErrorCode::kNotFound, "HAProxy has no stick table '{}': {}",
                            table, std::string(core::trim(answer)));
  }
  return parse_table(answer);
}

core::Result<std::map<std::string, std::string>> RuntimeApi::show_map(
    const std::filesystem::path& map) const {
  BALLAST_ASSIGN_OR_RETURN(auto answer, send("show map " + map.string()));
  // Lines are "<id> <key> <value>".
  std::map<std::string, std::string> out;
  for (const auto& line : core::split(answer, '\n')) {
    const auto parts = core::split(std::string(core::trim(line)), ' ');
    if (parts.size() >= 3 && parts[0].rfind("0x", 0) == 0) out[parts[1]] = parts[2];
  }
  if (out.empty() && answer.find("Unknown map") != std::string::npos) {
    return core::make_error(core::ErrorCode::kNotFound, "HAProxy does not know map '{}'",
                            map.string());
  }
  return out;
}

core::Result<int> RuntimeApi::sync_map(const std::filesystem::path& map,
                                       const std::map<std::string, std::string>& desired) const {
  BALLAST_ASSIGN_OR_RETURN(auto live, show_map(map));
  int changed = 0;
  auto apply = [&](const std::string& command) -> core::Status {
    BALLAST_ASSIGN_OR_RETURN(auto answer, send(command));
    const auto t = core::trim(answer);
    if (!t.empty()) {
      return core::make_error(core::ErrorCode::kComponentFailed, "HAProxy refused '{}': {}",
                              command, t);
    }
    ++changed;
    return core::ok();
  };
  for (const auto& [key, value] : desired) {
    auto it = live.find(key);
    if (it == live.end()) {
      BALLAST_TRY(apply(fmt::format("add map {} {} {}", map.string(), key, value)));
    } else if (it->second != value) {
      BALLAST_TRY(apply(fmt::format("set map {} {} {}", map.string(), key, value)));
    }
  }
  for (const auto& [key, value] : live) {
    if (desired.count(key) == 0)
      BALLAST_TRY(apply(fmt::format("del map {} {}", map.string(), key)));
  }
  return changed;
}

}  // namespace ballast::components::haproxy
