#include "runtime/local/mail_catcher.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"

namespace ballast::runtime::local {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kIdleLimit = std::chrono::seconds(60);
constexpr std::size_t kMaxConnections = 32;
constexpr std::size_t kMaxLineBytes = 64 * 1024;  // RFC 5321 says 1000; Odoo stays well below

struct Connection {
  int fd = -1;
  std::string tenant;
  SmtpSession session;
  std::string input;
  Clock::time_point last_seen;
};

void send_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const auto sent = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && errno == EAGAIN) {  // EWOULDBLOCK is EAGAIN on Linux
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, 5000) <= 0) return;  // a client that does not read loses its replies
      continue;
    }
    if (sent <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(sent));
  }
}

// Feeds the complete lines of the connection's input to its session; false when the
// connection should close.
bool serve_lines(Connection& c, const MailCatcher::Deliver& deliver) {
  std::size_t start = 0;
  for (;;) {
    const auto end = c.input.find('\n', start);
    if (end == std::string::npos) break;
    std::string_view line(c.input.data() + start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    start = end + 1;
    const auto reply = c.session.on_line(line);
    if (!reply.empty()) send_all(c.fd, reply);
    for (auto& message : c.session.take_messages()) deliver(c.tenant, std::move(message));
    if (c.session.is_closed()) return false;
  }
  c.input.erase(0, start);
  if (c.input.size() > kMaxLineBytes) {
    send_all(c.fd, "500 line too long\r\n");
    return false;
  }
  return true;
}

}  // namespace

MailCatcher::MailCatcher(Deliver deliver, std::size_t max_message_bytes)
    : deliver_(std::move(deliver)), max_message_bytes_(max_message_bytes) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
    wake_read_ = fds[0];
    wake_write_ = fds[1];
  }
  thread_ = std::thread([this] { run(); });
}

MailCatcher::~MailCatcher() {
  stopping_ = true;
  wake();
  if (thread_.joinable()) thread_.join();
  for (auto& [tenant, listener] : listeners_) ::close(listener.fd);
  for (auto& [fd, tenant] : retired_) ::close(fd);
  if (wake_read_ >= 0) ::close(wake_read_);
  if (wake_write_ >= 0) ::close(wake_write_);
}

void MailCatcher::wake() {
  if (wake_write_ < 0) return;
  const char byte = 1;
  [[maybe_unused]] const auto n = ::write(wake_write_, &byte, 1);
}

core::Status MailCatcher::listen(const std::string& tenant, std::uint16_t port) {
  {
    std::lock_guard lock(mutex_);
    auto it = listeners_.find(tenant);
    if (it != listeners_.end() && it->second.port == port) return core::ok();
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    return core::make_error(core::ErrorCode::kUnavailable,
                            "cannot open a socket for the mail "
                            "catcher: {}",
                            std::strerror(errno));
  }
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd, 16) != 0) {
    const int error = errno;
    ::close(fd);
    return core::make_error(core::ErrorCode::kUnavailable,
                            "the mail catcher of '{}' cannot listen on 127.0.0.1:{}: {}", tenant,
                            port, std::strerror(error))
        .with_hint(
            "Another process holds the port. Stop it, or free the port's record with "
            "'ballast tenant show', then start the copy again.");
  }
  {
    std::lock_guard lock(mutex_);
    auto& slot = listeners_[tenant];
    if (slot.fd >= 0) retired_.emplace(slot.fd, tenant);
    slot = Listener{fd, port};
  }
  wake();
  core::log::info("mail catcher listening", {{"tenant", tenant}, {"port", std::to_string(port)}});
  return core::ok();
}

void MailCatcher::close(const std::string& tenant) {
  {
    std::lock_guard lock(mutex_);
    auto it = listeners_.find(tenant);
    if (it == listeners_.end()) return;
    retired_.emplace(it->second.fd, tenant);
    listeners_.erase(it);
  }
  wake();
}

std::optional<std::uint16_t> MailCatcher::port_of(const std::string& tenant) const {
  std::lock_guard lock(mutex_);
  const auto it = listeners_.find(tenant);
  if (it == listeners_.end()) return std::nullopt;
  return it->second.port;
}

void MailCatcher::run() {
  std::vector<Connection> connections;
  const std::string host_name = "catcher.ballast.localhost";
  while (!stopping_) {
    std::vector<pollfd> fds;
    std::vector<std::string> owners;  // tenant of each listening fd, after the wake pipe
    {
      std::lock_guard lock(mutex_);
      for (auto& [fd, tenant] : retired_) ::close(fd);
      retired_.clear();
      fds.push_back({wake_read_, POLLIN, 0});
      for (const auto& [tenant, listener] : listeners_) {
        fds.push_back({listener.fd, POLLIN, 0});
        owners.push_back(tenant);
      }
    }
    const std::size_t first_connection = fds.size();
    for (const auto& c : connections) fds.push_back({c.fd, POLLIN, 0});
    const int ready = ::poll(fds.data(), fds.size(), 1000);
    if (ready < 0 && errno != EINTR) break;
    if (stopping_) break;
    if (fds[0].revents != 0) {
      char drain[64];
      while (::read(wake_read_, drain, sizeof drain) > 0) {
      }
    }
    const auto now = Clock::now();
    // Data on open connections first: their indexes match `fds` only before new ones join.
    std::vector<bool> drop(connections.size(), false);
    for (std::size_t i = 0; i < connections.size(); ++i) {
      auto& c = connections[i];
      const auto events = fds[first_connection + i].revents;
      if (events == 0) {
        drop[i] = now - c.last_seen > kIdleLimit;
        if (drop[i]) send_all(c.fd, "421 idle too long, closing\r\n");
        continue;
      }
      char buffer[16384];
      const auto n = ::recv(c.fd, buffer, sizeof buffer, 0);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n <= 0) {
        drop[i] = true;
        continue;
      }
      c.last_seen = now;
      c.input.append(buffer, static_cast<std::size_t>(n));
      drop[i] = !serve_lines(c, deliver_);
    }
    std::vector<Connection> kept;
    for (std::size_t i = 0; i < connections.size(); ++i) {
      if (drop[i]) {
        ::close(connections[i].fd);
      } else {
        kept.push_back(std::move(connections[i]));
      }
    }
    connections.swap(kept);
    for (std::size_t i = 1; i < first_connection; ++i) {
      if ((fds[i].revents & POLLIN) == 0) continue;
      const int fd = ::accept4(fds[i].fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd < 0) continue;
      if (connections.size() >= kMaxConnections) {
        send_all(fd, "421 too many connections, try again later\r\n");
        ::close(fd);
        continue;
      }
      Connection c{fd, owners[i - 1], SmtpSession(host_name, max_message_bytes_), {}, now};
      send_all(fd, c.session.greeting());
      connections.push_back(std::move(c));
    }
  }
  for (auto& c : connections) ::close(c.fd);
}

}  // namespace ballast::runtime::local
