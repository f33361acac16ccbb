#include "runtime/local/supervisor.h"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "core/file.h"
#include "core/log.h"
#include "core/text.h"

namespace ballast::runtime::local {

struct Supervisor::Service {
  ServiceSpec spec;
  std::optional<core::Process> child;  // started by us
  std::optional<pid_t> adopted;        // left by an earlier daemon
  int failures = 0;                    // consecutive, for the backoff
  std::int64_t restarts = 0;
  core::SteadyTime next_attempt{};
  core::SteadyTime running_since{};
  bool is_up = false;
};

namespace {

constexpr auto kMaxBackoff = std::chrono::seconds(30);
constexpr auto kHealthyReset = std::chrono::seconds(60);

std::chrono::milliseconds backoff(int failures) {
  if (failures <= 1) return std::chrono::milliseconds(0);  // the first restart is immediate
  const auto ms = std::chrono::milliseconds(250) * (1 << std::min(failures - 2, 8));
  return std::min<std::chrono::milliseconds>(ms, kMaxBackoff);
}

}  // namespace

std::string log_tail(const std::filesystem::path& file, std::size_t lines) {
  auto text = core::read_file(file, 64UL << 20);
  if (!text.has_value()) return "";
  auto all = core::split(*text, '\n');
  while (!all.empty() && all.back().empty()) all.pop_back();
  const std::size_t from = all.size() > lines ? all.size() - lines : 0;
  std::vector<std::string> tail(all.begin() + static_cast<std::ptrdiff_t>(from), all.end());
  return core::join(tail, "\n");
}

Supervisor::Supervisor(catalog::Catalog& catalog, const core::Clock& clock)
    : catalog_(catalog), clock_(clock) {}

Supervisor::~Supervisor() { detach_all(); }

void Supervisor::record(const Service& s, catalog::ComponentState state, const std::string& error) {
  catalog::ComponentRecord r;
  r.name = s.spec.name;
  r.kind = s.spec.kind;
  r.owner = s.spec.owner;
  r.port = s.spec.port;
  r.data_dir = s.spec.data_dir;
  if (s.child) r.pid = s.child->pid();
  if (s.adopted) r.pid = *s.adopted;
  r.state = state;
  r.restarts = s.restarts;
  r.last_error = error;
  if (auto saved = catalog_.components().save(r); !saved.has_value()) {
    core::log::error("cannot record component state",
                     {{"component", s.spec.name}, {"error", saved.error().to_string()}});
  }
}

core::Status Supervisor::launch(Service& s) {
  s.is_up = false;
  s.adopted.reset();
  s.child.reset();
  if (s.spec.find_running) s.adopted = s.spec.find_running();
  if (!s.adopted) {
    BALLAST_ASSIGN_OR_RETURN(auto process, core::Process::start(s.spec.command()));
    s.child.emplace(std::move(process));
  }
  const auto deadline = std::chrono::steady_clock::now() + s.spec.ready_timeout;
  core::Status last = core::make_error(core::ErrorCode::kTimeout, "not probed yet");
  while (std::chrono::steady_clock::now() < deadline) {
    if (s.child && !s.child->is_running()) {
      const auto status = *s.child->try_wait();
      return core::make_error(core::ErrorCode::kComponentFailed, "{} {} while starting:\n{}",
                              s.spec.name, status.describe(), log_tail(s.spec.log_file));
    }
    last = s.spec.probe();
    if (last.has_value()) {
      s.is_up = true;
      s.running_since = clock_.steady_now();
      return core::ok();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (s.child) s.child->terminate(std::chrono::seconds(5));
  return core::make_error(core::ErrorCode::kTimeout, "{} was not ready within {} s: {}\n{}",
                          s.spec.name, s.spec.ready_timeout.count(), last.error().message(),
                          log_tail(s.spec.log_file));
}

core::Status Supervisor::start(ServiceSpec spec) {
  std::lock_guard lock(mutex_);
  auto it = std::find_if(services_.begin(), services_.end(),
                         [&](const auto& s) { return s->spec.name == spec.name; });
  Service* service = nullptr;
  if (it != services_.end()) {
    service = it->get();
    if (service->is_up && (service->adopted || (service->child && service->child->is_running()))) {
      service->spec = std::move(spec);
      return core::ok();
    }
    service->spec = std::move(spec);
  } else {
    services_.push_back(std::make_unique<Service>());
    service = services_.back().get();
    service->spec = std::move(spec);
  }
  record(*service, catalog::ComponentState::kStarting, "");
  auto started = launch(*service);
  if (!started.has_value()) {
    record(*service, catalog::ComponentState::kFailed, started.error().message());
    return started;
  }
  record(*service, catalog::ComponentState::kRunning, "");
  core::log::info("component running", {{"component", service->spec.name},
                                        {"adopted", service->adopted ? "yes" : "no"}});
  return core::ok();
}

void Supervisor::tick() {
  std::lock_guard lock(mutex_);
  const auto now = clock_.steady_now();
  for (auto& owned : services_) {
    Service& s = *owned;
    bool alive = false;
    if (s.child) alive = s.child->is_running();
    if (s.adopted) alive = core::process_exists(*s.adopted);
    if (alive && s.is_up) {
      if (now - s.running_since > kHealthyReset) s.failures = 0;
      continue;
    }
    if (s.is_up) {  // it just died
      const std::string how =
          s.child && s.child->try_wait() ? s.child->try_wait()->describe() : std::string("exited");
      s.is_up = false;
      ++s.failures;
      s.next_attempt = now + backoff(s.failures);
      record(s, catalog::ComponentState::kBackoff, how);
      (void)catalog_.events().record(catalog::EventLevel::kWarning, "component/" + s.spec.name,
                                     "ComponentExited", fmt::format("{} {}", s.spec.name, how));
      core::log::warn("component exited", {{"component", s.spec.name}, {"how", how}});
    }
    if (now < s.next_attempt) continue;
    auto started = launch(s);
    if (started.has_value()) {
      ++s.restarts;
      record(s, catalog::ComponentState::kRunning, "");
      (void)catalog_.events().record(
          catalog::EventLevel::kNormal, "component/" + s.spec.name, "ComponentRestarted",
          fmt::format("{} restarted (restart {})", s.spec.name, s.restarts));
    } else {
      ++s.failures;
      s.next_attempt = clock_.steady_now() + backoff(s.failures);
      record(s, catalog::ComponentState::kBackoff, started.error().message());
      (void)catalog_.events().record(catalog::EventLevel::kWarning, "component/" + s.spec.name,
                                     "ComponentRestartFailed", started.error().message());
    }
  }
}

core::Status Supervisor::stop(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto it = std::find_if(services_.begin(), services_.end(),
                         [&](const auto& s) { return s->spec.name == name; });
  if (it == services_.end()) return core::ok();
  Service& s = **it;
  if (s.child) {
    s.child->signal(s.spec.stop_signal);
    if (!s.child->wait_for(s.spec.stop_timeout)) {
      s.child->signal(SIGKILL);
      s.child->wait();
    }
  } else if (s.adopted) {
    ::kill(*s.adopted, s.spec.stop_signal);
    const auto deadline = std::chrono::steady_clock::now() + s.spec.stop_timeout;
    while (core::process_exists(*s.adopted) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (core::process_exists(*s.adopted)) ::kill(*s.adopted, SIGKILL);
  }
  s.child.reset();
  s.adopted.reset();
  s.is_up = false;
  record(s, catalog::ComponentState::kStopped, "");
  services_.erase(it);
  return core::ok();
}

void Supervisor::stop_all() {
  for (const auto& name : [&] {
         auto n = names();
         std::reverse(n.begin(), n.end());
         return n;
       }()) {
    (void)stop(name);
  }
}

void Supervisor::detach_all() {
  std::lock_guard lock(mutex_);
  services_.clear();
}

bool Supervisor::is_running(const std::string& name) {
  std::lock_guard lock(mutex_);
  for (auto& s : services_) {
    if (s->spec.name == name) return s->is_up;
  }
  return false;
}

std::optional<pid_t> Supervisor::pid(const std::string& name) {
  std::lock_guard lock(mutex_);
  for (auto& s : services_) {
    if (s->spec.name != name) continue;
    if (s->child) return s->child->pid();
    return s->adopted;
  }
  return std::nullopt;
}

std::vector<std::string> Supervisor::names() {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& s : services_) out.push_back(s->spec.name);
  return out;
}

}  // namespace ballast::runtime::local
