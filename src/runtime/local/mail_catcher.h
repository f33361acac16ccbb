// MailCatcher: the SMTP sink that neutralized copies (staging, development) send their mail to.
// Each copy gets its own loopback port, so the port says whose mail it is; a message received
// is handed to `deliver` with its tenant and never sent on. One thread serves every port and
// connection (copies send little mail); connections idle for a minute are closed.
//
// Thread-safe: listen/close may be called from any thread while mail arrives.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/result.h"
#include "runtime/local/smtp_session.h"

namespace ballast::runtime::local {

class MailCatcher final {
 public:
  using Deliver = std::function<void(const std::string& tenant, SmtpMessage message)>;
  static constexpr std::size_t kMaxMessageBytes = 32U << 20U;

  explicit MailCatcher(Deliver deliver, std::size_t max_message_bytes = kMaxMessageBytes);
  MailCatcher(const MailCatcher&) = delete;
  MailCatcher& operator=(const MailCatcher&) = delete;
  ~MailCatcher();  // stops listening and drops open connections

  // Catches the tenant's mail on 127.0.0.1:`port` from now on; the same tenant and port again
  // is a no-op, another port replaces the old one. kUnavailable when the port cannot be bound.
  core::Status listen(const std::string& tenant, std::uint16_t port);
  // Stops listening for the tenant (connections already open finish their message).
  void close(const std::string& tenant);
  // The port the tenant's mail is caught on; nullopt when it is not listening.
  [[nodiscard]] std::optional<std::uint16_t> port_of(const std::string& tenant) const;

 private:
  struct Listener {
    int fd = -1;
    std::uint16_t port = 0;
  };
  void run();
  void wake();

  Deliver deliver_;
  std::size_t max_message_bytes_;
  mutable std::mutex mutex_;
  std::map<std::string, Listener> listeners_;  // by tenant
  std::map<int, std::string> retired_;         // closed listeners the loop has yet to drop
  int wake_read_ = -1;
  int wake_write_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace ballast::runtime::local
