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
    "id, tenant, received_at, mail_from, recipients, subject, size_bytes, sealed";
constexpr std::string_view kKeyName = "mail_key";

std::string scope_of(std::string_view tenant) { return "tenant/" + std::string(tenant); }

}  // namespace

core::Result<core::SecretBox> MailStore::box(std::string_view tenant, bool create) {
  auto key = create ? secrets_.get_or_create(scope_of(tenant), kKeyName,
                                             [] { return core::SecretBox::generate_key(); })
                    : secrets_.get(scope_of(tenant), kKeyName);
  if (!key.has_value()) {
    return std::move(key).error().with_context(
        fmt::format("reading the key of '{}''s caught mail", tenant));
  }
  return core::SecretBox::create(*key);
}

core::Result<CaughtMail> MailStore::read_row(const Statement& s, bool with_message,
                                             std::optional<core::SecretBox>& key) {
  CaughtMail m;
  m.id = s.integer(0);
  m.tenant = s.text(1);
  m.received_at = core::parse_rfc3339(s.text(2)).value_or(core::SystemTime{});
  m.size_bytes = static_cast<std::uint64_t>(s.integer(6));
  if (s.integer(7) == 0) {  // caught before mail was sealed
    m.mail_from = s.text(3);
    m.recipients = split_lines(s.text(4));
    m.subject = s.text(5);
    if (with_message) m.message = s.blob(8);
    return m;
  }
  if (!key.has_value()) {
    BALLAST_ASSIGN_OR_RETURN(auto opened, box(m.tenant, false));
    key.emplace(std::move(opened));
  }
  const core::SecretBox& sealed_by = *key;
  const auto open = [&](int column) -> core::Result<std::string> {
    auto plain = sealed_by.open(s.blob(column));
    if (!plain.has_value()) {
      return core::make_error(core::ErrorCode::kCorrupt,
                              "caught message {} of '{}' fails authentication", m.id, m.tenant)
          .with_hint(fmt::format(
              "The row was altered or sealed under another key; forget the tenant's caught "
              "mail with 'ballast mail clear {0} --confirm {0}'.",
              m.tenant));
    }
    return std::string(plain->reveal());
  };
  BALLAST_ASSIGN_OR_RETURN(m.mail_from, open(3));
  BALLAST_ASSIGN_OR_RETURN(const auto recipients, open(4));
  m.recipients = split_lines(recipients);
  BALLAST_ASSIGN_OR_RETURN(m.subject, open(5));
  if (with_message) {
    BALLAST_ASSIGN_OR_RETURN(m.message, open(8));
  }
  return m;
}

core::Result<std::int64_t> MailStore::add(const CaughtMail& mail, std::size_t keep) {
  BALLAST_ASSIGN_OR_RETURN(const auto sealing, box(mail.tenant, true));
  std::int64_t id = 0;
  BALLAST_TRY(db_.transaction([&]() -> core::Status {
    BALLAST_ASSIGN_OR_RETURN(
        auto insert,
        db_.prepare("INSERT INTO caught_mail (tenant, received_at, mail_from, recipients, "
                    "subject, size_bytes, message, sealed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1) "
                    "RETURNING id"));
    insert.bind(1, mail.tenant).bind(2, core::format_rfc3339(mail.received_at));
    insert.bind_blob(3, sealing.seal(mail.mail_from))
        .bind_blob(4, sealing.seal(join_lines(mail.recipients)))
        .bind_blob(5, sealing.seal(mail.subject));
    insert.bind(6, static_cast<std::int64_t>(mail.message.size()))
        .bind_blob(7, sealing.seal(mail.message));
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
  std::optional<core::SecretBox> key;  // one tenant: its key is read once
  for (;;) {
    BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
    if (!row) break;
    BALLAST_ASSIGN_OR_RETURN(auto mail, read_row(s, false, key));
    out.push_back(std::move(mail));
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
  std::optional<core::SecretBox> key;
  return read_row(s, true, key);
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
