#include "catalog/event_store.h"

#include "core/log.h"

namespace ballast::catalog {

core::Status EventStore::record(EventLevel level, std::string_view subject, std::string_view reason,
                                std::string_view message) {
  // Every event is also a log line, with the tenant it concerns (and the request being
  // served, from the thread's log context).
  const bool is_tenant = subject.rfind("tenant/", 0) == 0;
  core::log::write(
      level == EventLevel::kWarning ? core::log::Level::kWarn : core::log::Level::kInfo, message,
      {{"event", std::string(reason)},
       {"subject", std::string(subject)},
       {"tenant", is_tenant ? std::string(subject.substr(7)) : std::string()}});
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(auto s,
                           db_.prepare("INSERT INTO events (at, level, subject, reason, message) "
                                       "VALUES (?, ?, ?, ?, ?)"));
  s.bind(1, core::format_rfc3339_ms(clock_.now()))
      .bind(2, level == EventLevel::kWarning ? "warning" : "normal")
      .bind(3, subject)
      .bind(4, reason)
      .bind(5, message);
  return s.run();
}

core::Result<std::vector<Event>> EventStore::list(std::string_view subject_prefix, int limit) {
  auto guard = db_.lock();
  BALLAST_ASSIGN_OR_RETURN(
      auto s, db_.prepare("SELECT id, at, level, subject, reason, message FROM events "
                          "WHERE substr(subject, 1, length(?1)) = ?1 ORDER BY id DESC LIMIT ?2"));
  s.bind(1, subject_prefix).bind(2, static_cast<std::int64_t>(limit));
  std::vector<Event> out;
  for (;;) {
    BALLAST_ASSIGN_OR_RETURN(const bool row, s.step());
    if (!row) break;
    Event e;
    e.id = s.integer(0);
    e.at = core::parse_rfc3339(s.text(1)).value_or(core::SystemTime{});
    e.level = s.text(2) == "warning" ? EventLevel::kWarning : EventLevel::kNormal;
    e.subject = s.text(3);
    e.reason = s.text(4);
    e.message = s.text(5);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace ballast::catalog
