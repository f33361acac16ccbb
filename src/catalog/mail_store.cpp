#include "catalog/mail_store.h"

#include <fmt/format.h>

namespace ballast::catalog {
namespace {

// Addresses cannot hold a line break, so recipients are kept one per line.
std::string join_lines(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : "\n") + item;
  return out;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

constexpr std::string_view kColumns =
    "id, tenant, received_at, mail_from, recipients, subject, size_bytes";

CaughtMail read_row(const Statement& s) {
  CaughtMail m;
  m.id = s.integer(0);
  m.tenant = s.text(1);
  m.received_at = core::parse_rfc3339(s.text(2)).value_or(core::SystemTime{});
  m.mail_from = s.text(3);
  m.recipients = split_lines(s.text(4));
  m.subject = s.text(5);
  m.size_bytes = static_cast<std::uint64_t>(s.integer(6));
  return m;
}

}  // namespace

core::Result<std::int64_t> MailStore::add(const CaughtMail& mail, std::size_t keep) {
  std::int64_t id = 0;
  BALLAST_TRY(db_.transaction([&]() -> core::Status {
    BALLAST_ASSIGN_OR_RETURN(
        auto insert,
        db_.prepare("INSERT INTO caught_mail (tenant, received_at, mail_from, recipients, "
                    "subject, size_bytes, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                    "RETURNING id"));
    insert.bind(1, mail.tenant).bind(2, core::format_rfc3339(mail.received_at));
    insert.bind(3, mail.mail_from).bind(4, join_lines(mail.recipients)).bind(5, mail.subject);
    insert.bind(6, static_cast<std::int64_t>(mail.message.size())).bind_blob(7, mail.message);
    BALLAST_ASSIGN_OR_RETURN(const bool row, insert.step());
    if (row) id = insert.integer(0);
    BALLAST_TRY(insert.run());
    BALLAST_ASSIGN_OR_RETURN(
        auto trim, db_.prepare("DELETE FROM caught_mail WHERE tenant = ?1 AND id NOT IN (SELECT "
                               "id FROM caught_mail WHERE tenant = ?1 ORDER BY id DESC LIMIT ?2)"));
    trim.bind(1, mail.tenant).bind(2, static_cast<std::int64_t>(keep));
    return trim.run();
  }));
  return id;
}

core::Result<std::vector<CaughtMail>> MailStore::list(std::string_view tenant, std::size_t limit) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(
      auto s, db_.prepare(fmt::format("SELECT {} FROM caught_mail WHERE tenant = ?1 ORDER BY id "
                                      "DESC LIMIT ?2",
                                      kColumns)));
  s.bind(1, tenant).bind(2, static_cast<std::int64_t>(limit));
  std::vector<CaughtMail> out;
  for (;;) {
    BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
    if (!row) break;
    out.push_back(read_row(s));
  }
  return out;
}

core::Result<CaughtMail> MailStore::get(std::string_view tenant, std::int64_t id) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(
      auto s, db_.prepare(fmt::format("SELECT {}, message FROM caught_mail WHERE tenant = ?1 AND "
                                      "id = ?2",
                                      kColumns)));
  s.bind(1, tenant).bind(2, id);
  BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
  if (!row) {
    return core::make_error(core::ErrorCode::kNotFound, "tenant '{}' has no caught message {}",
                            tenant, id)
        .with_hint(fmt::format("List its messages with 'ballast mail list {}'.", tenant));
  }
  auto mail = read_row(s);
  mail.message = s.blob(7);
  return mail;
}

core::Result<std::uint64_t> MailStore::count(std::string_view tenant) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(auto s,
                           db_.prepare("SELECT count(*) FROM caught_mail WHERE tenant = ?1"));
  s.bind(1, tenant);
  BALLAST_TRY(s.step());
  return static_cast<std::uint64_t>(s.integer(0));
}

core::Result<std::uint64_t> MailStore::clear(std::string_view tenant) {
  std::uint64_t removed = 0;
  BALLAST_TRY(db_.transaction([&]() -> core::Status {
    BALLAST_ASSIGN_OR_RETURN(removed, count(tenant));
    BALLAST_ASSIGN_OR_RETURN(auto s, db_.prepare("DELETE FROM caught_mail WHERE tenant = ?1"));
    s.bind(1, tenant);
    return s.run();
  }));
  return removed;
}

}  // namespace ballast::catalog
