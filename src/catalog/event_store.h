// EventStore: what happened to tenants and components, for operators (like Kubernetes events).
#pragma once

#include <vector>

#include "catalog/records.h"
#include "catalog/sqlite.h"

namespace ballast::catalog {

class EventStore final {
 public:
  EventStore(Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

  core::Status record(EventLevel level, std::string_view subject, std::string_view reason,
                      std::string_view message);
  // Newest first; `subject_prefix` filters ("tenant/acme", "component/").
  core::Result<std::vector<Event>> list(std::string_view subject_prefix = "", int limit = 100);

 private:
  Database& db_;
  const core::Clock& clock_;
};

}  // namespace ballast::catalog
