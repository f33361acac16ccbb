#include "spec/model.h"

#include <algorithm>

#include "spec/model_schema.h"

namespace ballast::spec {
namespace {

template <typename T>
const T* find_named(const std::vector<T>& items, std::string_view name) {
  auto it = std::find_if(items.begin(), items.end(), [&](const T& i) { return i.name == name; });
  return it == items.end() ? nullptr : &*it;
}

template <typename E>
std::string_view spelling(E value) {
  for (const auto& entry : enum_table(Tag<E>{})) {
    if (entry.value == value) return entry.spelling;
  }
  return "?";
}

}  // namespace

Duration Retention::window() const {
  const auto days = std::max<std::uint64_t>({daily, weekly * 7ULL, monthly * 30ULL});
  return Duration(static_cast<Duration::rep>(days * 86400));
}

bool Security::needs_approval(std::string_view action) const {
  return std::find(approvals.begin(), approvals.end(), action) != approvals.end();
}

Duration Continuity::tightest_rpo() const {
  return std::min({timesheets.rpo, billing.rpo, reporting.rpo});
}

Duration Continuity::tightest_rto() const {
  return std::min({timesheets.rto, billing.rto, reporting.rto});
}

const Tenant* Spec::find_tenant(std::string_view name) const { return find_named(tenants, name); }
const Plan* Spec::find_plan(std::string_view name) const { return find_named(plans, name); }
const Pool* Spec::find_pool(std::string_view name) const { return find_named(pools, name); }
const Stack* Spec::find_stack(std::string_view name) const { return find_named(stacks, name); }
const Repository* Spec::find_repository(std::string_view name) const {
  return find_named(repositories, name);
}
const Calendar* Spec::find_calendar(std::string_view name) const {
  return find_named(calendars, name);
}

std::filesystem::path Spec::resolve(const std::string& path) const {
  const std::filesystem::path p(path);
  if (p.is_absolute()) return p.lexically_normal();
  const auto base = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  return std::filesystem::absolute(base / p, ec).lexically_normal();
}

std::filesystem::path Spec::state_dir() const { return resolve(platform.state_dir); }

std::string_view to_string(Tier tier) { return spelling(tier); }
std::string_view to_string(RepositoryType type) { return spelling(type); }
std::string_view to_string(EvictionPolicy policy) { return spelling(policy); }
std::string_view to_string(OdooVersion version) { return spelling(version); }
std::string_view to_string(EnvironmentKind kind) { return spelling(kind); }
std::string_view to_string(Weekday day) { return spelling(day); }

}  // namespace ballast::spec
