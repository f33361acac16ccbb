// MailStore: the mail that neutralized copies sent to the platform's catcher, per tenant. A
// copy's mail is kept for people to read (password resets, invoices a tester sent), never
// delivered. Only the newest messages of each tenant are kept (`keep` on add).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/sqlite.h"
#include "core/clock.h"

namespace ballast::catalog {

struct CaughtMail {
  std::int64_t id = 0;  // assigned by add; increasing
  std::string tenant;
  core::SystemTime received_at{};
  std::string mail_from;                // the envelope sender (MAIL FROM), may be empty
  std::vector<std::string> recipients;  // the envelope recipients (RCPT TO)
  std::string subject;                  // the Subject header as sent, unfolded
  std::uint64_t size_bytes = 0;         // of `message`
  std::string message;                  // the message as received (headers and body, CRLF)
};

// Thread-safe (through the shared Database).
class MailStore final {
 public:
  explicit MailStore(Database& db) : db_(db) {}

  // Stores a message and drops the tenant's oldest beyond the newest `keep`; its id.
  core::Result<std::int64_t> add(const CaughtMail& mail, std::size_t keep);
  // Newest first, at most `limit`, without the message text.
  core::Result<std::vector<CaughtMail>> list(std::string_view tenant, std::size_t limit);
  // One message with its text; kNotFound when the tenant has no message `id`.
  core::Result<CaughtMail> get(std::string_view tenant, std::int64_t id);
  // How many messages the tenant has.
  core::Result<std::uint64_t> count(std::string_view tenant);
  // Forgets every message of the tenant; how many there were.
  core::Result<std::uint64_t> clear(std::string_view tenant);

 private:
  Database& db_;
};

}  // namespace ballast::catalog
