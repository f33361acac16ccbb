// MailStore: the mail that neutralized copies sent to the platform's catcher, per tenant. A
// copy's mail is kept for people to read (password resets, invoices a tester sent), never
// delivered. Only the newest messages of each tenant are kept (`keep` on add).
//
// A copy's mail can hold production customers' data (invoices, names, addresses), so the
// sender, recipients, subject and text are sealed under a key of the tenant ("mail_key" in
// the secret store, itself sealed under the master key). Forgetting the tenant's secrets makes
// its mail unreadable even where a row survives (an old copy of the catalog file).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/secret_store.h"
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
  MailStore(Database& db, SecretStore& secrets) : db_(db), secrets_(secrets) {}

  // Stores a message and drops the tenant's oldest beyond the newest `keep`; its id.
  core::Result<std::int64_t> add(const CaughtMail& mail, std::size_t keep);
  // Newest first, at most `limit`, without the message text; kCorrupt when a row fails
  // authentication (tampering, or the tenant's key is gone).
  core::Result<std::vector<CaughtMail>> list(std::string_view tenant, std::size_t limit);
  // One message with its text; kNotFound when the tenant has no message `id`.
  core::Result<CaughtMail> get(std::string_view tenant, std::int64_t id);
  // How many messages the tenant has.
  core::Result<std::uint64_t> count(std::string_view tenant);
  // Forgets every message of the tenant; how many there were.
  core::Result<std::uint64_t> clear(std::string_view tenant);

 private:
  core::Result<core::SecretBox> box(std::string_view tenant, bool create);
  // `key`: the tenant's box, read on the first sealed row and kept for the next ones.
  core::Result<CaughtMail> read_row(const Statement& s, bool with_message,
                                    std::optional<core::SecretBox>& key);
  Database& db_;
  SecretStore& secrets_;
};

}  // namespace ballast::catalog
