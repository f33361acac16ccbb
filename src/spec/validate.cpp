// Cross-reference validation of a parsed spec and the defaults derived from other fields.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <sys/stat.h>

#include "core/text.h"
#include "spec/loader.h"

namespace ballast::spec {
namespace {

class Checker {
 public:
  Checker(const Spec& spec, std::vector<Diagnostic>& out) : spec_(spec), out_(out) {}

  void report(const std::string& path, std::string message) {
    out_.push_back(diagnostic_at(spec_, path, std::move(message)));
  }

  template <typename T>
  void unique_names(const std::vector<T>& items, std::string_view section, std::string_view what) {
    std::map<std::string, std::size_t> first;
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (items[i].name.empty()) continue;
      auto [it, inserted] = first.emplace(items[i].name, i);
      if (!inserted) {
        report(fmt::format("{}[{}].name", section, i),
               fmt::format("{} '{}' is defined twice (first at {}[{}])", what, items[i].name,
                           section, it->second));
      }
    }
  }

  // `name` must be one of `items`' names; empty names were reported elsewhere.
  template <typename T>
  void reference(const std::string& path, const std::string& name, const std::vector<T>& items,
                 std::string_view what) {
    if (name.empty()) return;
    std::vector<std::string_view> names;
    for (const auto& item : items) {
      if (item.name == name) return;
      names.push_back(item.name);
    }
    report(path,
           fmt::format("{} '{}' is not defined{}", what, name, core::did_you_mean(name, names)));
  }

  void run() {
    unique_names(spec_.repositories, "repositories", "repository");
    unique_names(spec_.plans, "plans", "plan");
    unique_names(spec_.pools, "pools", "pool");
    unique_names(spec_.stacks, "stacks", "stack");
    unique_names(spec_.calendars, "calendars", "calendar");
    unique_names(spec_.tenants, "tenants", "tenant");
    platform();
    approvals();
    for (std::size_t i = 0; i < spec_.repositories.size(); ++i) repository(i);
    for (std::size_t i = 0; i < spec_.pools.size(); ++i) {
      backup_policy(fmt::format("pools[{}].backup", i), spec_.pools[i].backup);
    }
    for (std::size_t i = 0; i < spec_.stacks.size(); ++i) {
      backup_policy(fmt::format("stacks[{}].backup", i), spec_.stacks[i].backup);
    }
    for (std::size_t i = 0; i < spec_.calendars.size(); ++i) calendar(i);
    for (std::size_t i = 0; i < spec_.tenants.size(); ++i) tenant(i);
    ports();
    domains();
    pool_capacity();
  }

 private:
  void platform() {
    const auto& api = spec_.platform.api.host;
    if (api.empty()) return;  // the platform section itself is missing or failed
    if (api != "127.0.0.1" && api != "::1" && api != "localhost") {
      report("platform.api", fmt::format("the API must listen on loopback, not '{}'", api));
    }
    tls_needs_https();
  }

  void approvals() {
    const auto& listed = spec_.security.approvals;
    const std::vector<std::string_view> known(std::begin(kApprovalActions),
                                              std::end(kApprovalActions));
    const std::vector<std::string> names(known.begin(), known.end());
    for (std::size_t i = 0; i < listed.size(); ++i) {
      if (std::find(known.begin(), known.end(), listed[i]) != known.end()) continue;
      report(fmt::format("security.approvals[{}]", i),
             fmt::format("'{}' is not an action that can need approval{} (the actions: {})",
                         listed[i], core::did_you_mean(listed[i], known), core::join(names, ", ")));
    }
  }

  // Certificates are served only by an HTTPS listener; the files themselves are checked
  // above the spec (security::check_supplied_certificates), which reads them.
  void tls_needs_https() {
    if (spec_.platform.ingress.https) return;
    if (spec_.platform.ingress.tls) {
      report("platform.ingress.tls", "tls needs platform.ingress.https (an HTTPS listener)");
    }
    for (std::size_t i = 0; i < spec_.tenants.size(); ++i) {
      if (!spec_.tenants[i].tls) continue;
      report(fmt::format("tenants[{}].tls", i),
             fmt::format("tenant '{}' has tls but platform.ingress.https is not set",
                         spec_.tenants[i].name));
    }
  }

  void repository(std::size_t i) {
    const auto& r = spec_.repositories[i];
    const std::string at = fmt::format("repositories[{}]", i);
    if (r.type == RepositoryType::kPosix) {
      if (r.path.empty()) report(at, fmt::format("posix repository '{}' needs a path", r.name));
      if (!r.endpoint.empty() || !r.bucket.empty()) {
        report(at + ".endpoint", "endpoint and bucket are for s3 repositories, not posix");
      }
      if (r.object_lock) report(at + ".object_lock", "object_lock needs an s3 repository");
      return;
    }
    if (r.endpoint.empty()) report(at, fmt::format("s3 repository '{}' needs an endpoint", r.name));
    if (!r.endpoint.empty() && r.endpoint.rfind("https://", 0) != 0 &&
        r.endpoint.rfind("http://", 0) != 0) {
      report(at + ".endpoint", fmt::format("'{}' is not an http(s):// URL", r.endpoint));
    }
    if (r.bucket.empty()) report(at, fmt::format("s3 repository '{}' needs a bucket", r.name));
    if (!r.path.empty())
      report(at + ".path", "path is for posix repositories; s3 uses bucket and prefix");
  }

  void backup_policy(const std::string& at, const BackupPolicy& policy) {
    for (std::size_t k = 0; k < policy.repositories.size(); ++k) {
      reference(fmt::format("{}.repositories[{}]", at, k), policy.repositories[k],
                spec_.repositories, "repository");
    }
  }

  void calendar(std::size_t i) {
    const auto& c = spec_.calendars[i];
    const std::string at = fmt::format("calendars[{}]", i);
    struct stat st {};
    const std::string zone = "/usr/share/zoneinfo/" + c.timezone;
    if (!c.timezone.empty() &&
        (c.timezone.find("..") != std::string::npos || c.timezone.front() == '/' ||
         ::stat(zone.c_str(), &st) != 0 || !S_ISREG(st.st_mode))) {
      report(at + ".timezone",
             fmt::format("'{}' is not a known time zone (e.g. Europe/Brussels)", c.timezone));
    }
    for (std::size_t k = 0; k < c.freezes.size(); ++k) {
      const auto& f = c.freezes[k];
      const std::string fat = fmt::format("{}.freezes[{}]", at, k);
      if (f.monthly.has_value() == f.dates.has_value()) {
        report(fat, fmt::format("freeze '{}' needs exactly one of 'monthly' or 'dates'", f.name));
      }
      if (f.dates && !f.dates->from.empty() && !f.dates->to.empty() &&
          f.dates->to < f.dates->from) {
        report(fat + ".dates.to",
               fmt::format("'{}' is before 'from' ({})", f.dates->to, f.dates->from));
      }
    }
  }

  void tenant(std::size_t i) {
    const auto& t = spec_.tenants[i];
    const std::string at = fmt::format("tenants[{}]", i);
    if (t.tier == Tier::kShared) {
      if (t.pool.empty() && !t.name.empty()) {
        report(at, fmt::format("shared tenant '{}' needs a pool", t.name));
      }
      if (!t.stack.empty()) report(at + ".stack", "a shared tenant lives in a pool, not a stack");
      reference(at + ".pool", t.pool, spec_.pools, "pool");
    } else {
      if (t.stack.empty() && !t.name.empty()) {
        report(at, fmt::format("dedicated tenant '{}' needs a stack", t.name));
      }
      if (!t.pool.empty()) report(at + ".pool", "a dedicated tenant has its own stack, not a pool");
      reference(at + ".stack", t.stack, spec_.stacks, "stack");
      for (std::size_t j = 0; j < i; ++j) {
        if (!t.stack.empty() && spec_.tenants[j].stack == t.stack) {
          report(at + ".stack", fmt::format("stack '{}' is already used by tenant '{}'", t.stack,
                                            spec_.tenants[j].name));
        }
      }
    }
    reference(at + ".plan", t.plan, spec_.plans, "plan");
    reference(at + ".calendar", t.calendar, spec_.calendars, "calendar");
    environments(i);
    rpo_within_retention(i);
  }

  void environments(std::size_t i) {
    const auto& t = spec_.tenants[i];
    std::set<std::string> seen;
    for (std::size_t k = 0; k < t.environments.size(); ++k) {
      const auto& e = t.environments[k];
      const std::string at = fmt::format("tenants[{}].environments[{}]", i, k);
      if (e.name == "production") {
        report(at + ".name", "'production' is the tenant itself; name copies e.g. 'staging'");
      }
      if (!e.name.empty() && !seen.insert(e.name).second) {
        report(at + ".name", fmt::format("environment '{}' is defined twice", e.name));
      }
      const std::string full = t.name + "-" + e.name;
      if (full.size() > 63) {
        report(at + ".name", fmt::format("'{}' is longer than 63 characters", full));
      }
      if (spec_.find_tenant(full) != nullptr) {
        report(at + ".name", fmt::format("'{}' would clash with the tenant of that name", full));
      }
    }
  }

  void rpo_within_retention(std::size_t i) {
    const auto& t = spec_.tenants[i];
    const BackupPolicy* policy = nullptr;
    if (const auto* pool = spec_.find_pool(t.pool); pool && t.tier == Tier::kShared)
      policy = &pool->backup;
    if (const auto* stack = spec_.find_stack(t.stack); stack && t.tier == Tier::kDedicated) {
      policy = &stack->backup;
    }
    if (policy == nullptr || policy->repositories.empty()) return;
    const Repository* primary = spec_.find_repository(policy->repositories.front());
    if (primary == nullptr) return;
    const Duration window = primary->retention.window();
    const std::pair<const char*, const Target*> targets[] = {
        {"timesheets", &t.continuity.timesheets},
        {"billing", &t.continuity.billing},
        {"reporting", &t.continuity.reporting}};
    for (const auto& [process, target] : targets) {
      if (target->rpo > window) {
        report(fmt::format("tenants[{}].continuity.{}.rpo", i, process),
               fmt::format("RPO {} is longer than the retention window of repository '{}' ({})",
                           format_duration(target->rpo), primary->name, format_duration(window)));
      }
    }
  }

  void ports() {
    std::map<int, std::string> used;
    auto claim = [&](int port, const std::string& path) {
      if (port == 0) return;
      auto [it, inserted] = used.emplace(port, path);
      if (!inserted) report(path, fmt::format("port {} is already used by {}", port, it->second));
    };
    claim(spec_.platform.ingress.http.port, "platform.ingress.http");
    if (spec_.platform.ingress.https)
      claim(spec_.platform.ingress.https->port, "platform.ingress.https");
    claim(spec_.platform.api.port, "platform.api");
    for (std::size_t i = 0; i < spec_.pools.size(); ++i) {
      claim(spec_.pools[i].postgres.port, fmt::format("pools[{}].postgres.port", i));
      claim(spec_.pools[i].redis.port, fmt::format("pools[{}].redis.port", i));
    }
    for (std::size_t i = 0; i < spec_.stacks.size(); ++i) {
      claim(spec_.stacks[i].postgres.port, fmt::format("stacks[{}].postgres.port", i));
      claim(spec_.stacks[i].redis.port, fmt::format("stacks[{}].redis.port", i));
    }
  }

  void domains() {
    std::map<std::string, std::string> owner;
    auto claim = [&](const std::string& domain, const std::string& who, const std::string& path) {
      auto [it, inserted] = owner.emplace(domain, who);
      if (!inserted && it->second != who) {
        report(path, fmt::format("domain '{}' is already used by '{}'", domain, it->second));
      } else if (!inserted) {
        report(path, fmt::format("domain '{}' is listed twice", domain));
      }
    };
    for (std::size_t i = 0; i < spec_.tenants.size(); ++i) {
      const auto& t = spec_.tenants[i];
      for (std::size_t k = 0; k < t.domains.size(); ++k) {
        claim(t.domains[k], t.name, fmt::format("tenants[{}].domains[{}]", i, k));
      }
      for (std::size_t e = 0; e < t.environments.size(); ++e) {
        const auto& env = t.environments[e];
        for (std::size_t k = 0; k < env.domains.size(); ++k) {
          claim(env.domains[k], t.name + "-" + env.name,
                fmt::format("tenants[{}].environments[{}].domains[{}]", i, e, k));
        }
      }
    }
  }

  void pool_capacity() {
    for (std::size_t i = 0; i < spec_.pools.size(); ++i) {
      const auto& pool = spec_.pools[i];
      if (pool.max_tenants == 0) continue;
      const auto count = std::count_if(spec_.tenants.begin(), spec_.tenants.end(),
                                       [&](const Tenant& t) { return t.pool == pool.name; });
      if (static_cast<std::uint64_t>(count) > pool.max_tenants) {
        report(fmt::format("pools[{}].max_tenants", i),
               fmt::format("pool '{}' has {} tenants, more than its max_tenants of {}", pool.name,
                           count, pool.max_tenants));
      }
    }
  }

  const Spec& spec_;
  std::vector<Diagnostic>& out_;
};

}  // namespace

Diagnostic diagnostic_at(const Spec& spec, const std::string& path, std::string message) {
  Diagnostic d;
  d.file = spec.file.string();
  d.path = path;
  d.message = std::move(message);
  std::string at = path;
  while (!at.empty()) {
    if (auto it = spec.positions.find(at); it != spec.positions.end()) {
      d.line = it->second.line + 1;
      d.column = it->second.column + 1;
      break;
    }
    const auto cut = at.find_last_of(".[");
    at = cut == std::string::npos ? "" : at.substr(0, cut);
  }
  return d;
}

void validate(const Spec& spec, std::vector<Diagnostic>& out) { Checker(spec, out).run(); }

void derive_defaults(Spec& spec) {
  const std::string& base = spec.platform.ingress.base_domain;
  for (auto& tenant : spec.tenants) {
    if (tenant.domains.empty() && !tenant.name.empty() && !base.empty()) {
      tenant.domains.push_back(tenant.name + "." + base);
    }
    for (auto& env : tenant.environments) {
      if (env.domains.empty() && !env.name.empty() && !base.empty()) {
        env.domains.push_back(tenant.name + "-" + env.name + "." + base);
      }
    }
  }
  auto default_repository = [&](BackupPolicy& policy) {
    if (policy.repositories.empty() && !spec.repositories.empty()) {
      policy.repositories.push_back(spec.repositories.front().name);
    }
  };
  for (auto& pool : spec.pools) default_repository(pool.backup);
  for (auto& stack : spec.stacks) default_repository(stack.backup);
}

}  // namespace ballast::spec
