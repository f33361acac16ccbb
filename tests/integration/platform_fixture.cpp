#include "platform_fixture.h"

#include <cstdlib>

#include <fmt/format.h>
#include <httplib.h>

namespace ballast::testing {

std::unique_ptr<TempDir> PlatformFixture::dir_;
std::unique_ptr<ShiftedClock> PlatformFixture::clock_;
std::unique_ptr<app::Platform> PlatformFixture::platform_;
std::uint16_t PlatformFixture::http_port_ = 0;
std::uint16_t PlatformFixture::https_port_ = 0;
std::atomic<bool> PlatformFixture::ticking_{false};
std::thread PlatformFixture::ticker_;
const app::Actor PlatformFixture::kActor{"test"};

std::string PlatformFixture::spec_text(std::uint16_t http_port, std::uint16_t api_port) {
  return fmt::format(R"(platform:
  name: it
  state_dir: state
  ingress: {{base_domain: it.test, http: "127.0.0.1:{}"{}}}
  api: "127.0.0.1:{}"
repositories:
  - {{name: local, type: posix, path: backups}}
  - {{name: small-disk, type: posix, path: small-disk}}
plans:
  - {{name: small, connections: 7, request_rate: 5/s}}
  - {{name: large, connections: 30, workers: 2}}
  - {{name: tight, db_size: 1MiB}}
pools:
  - {{name: main}}
stacks:
  - {{name: solo, redis: {{maxmemory: 64MiB}}}}
tenants:
  - {{name: a, pool: main, plan: small}}
  - {{name: b, pool: main, plan: small, domains: [b.it.test, www.b.test]}}
  - {{name: tight, pool: main, plan: tight}}
  - {{name: s, tier: dedicated, stack: solo, plan: large}}
)",
                     http_port,
                     https_port_ == 0 ? "" : fmt::format(", https: \"127.0.0.1:{}\"", https_port_),
                     api_port);
}

void PlatformFixture::SetUpTestSuite() { start(""); }

void PlatformFixture::use_odoo_standin_unless_set() {
  if (std::getenv("BALLAST_ODOO_SRC") == nullptr) {
    ::setenv("BALLAST_ODOO_SRC", (source_dir() / "tests" / "odoo_standin").c_str(), 1);
  }
}

void PlatformFixture::run_without_odoo() { ::unsetenv("BALLAST_ODOO_SRC"); }

PlatformFixture::Traffic PlatformFixture::traffic_during(const std::string& host, int status,
                                                         const std::function<void()>& action) {
  std::atomic<bool> running{true};
  std::atomic<int> answered{0};
  std::atomic<int> failed{0};
  std::thread traffic([&] {
    httplib::Client client("127.0.0.1", http_port());
    while (running) {
      auto r = client.Get("/web/login", httplib::Headers{{"Host", host}});
      (r && r->status == status ? answered : failed)++;
    }
  });
  action();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  running = false;
  traffic.join();
  return {answered.load(), failed.load()};
}

void PlatformFixture::start(const std::string& text) {
  dir_ = std::make_unique<TempDir>("ballast-it");
  clock_ = std::make_unique<ShiftedClock>();
  http_port_ = free_port();
  const auto api_port = free_port();
  std::string yaml = text.empty() ? spec_text(http_port_, api_port) : text;
  for (const auto& [key, value] :
       {std::pair<std::string, std::uint16_t>{"{http}", http_port_}, {"{api}", api_port}}) {
    for (auto at = yaml.find(key); at != std::string::npos; at = yaml.find(key))
      yaml.replace(at, key.size(), std::to_string(value));
  }
  write_text(*dir_ / "ballast.yaml", yaml);
  auto spec = spec::load(*dir_ / "ballast.yaml");
  ASSERT_TRUE(spec.has_value()) << spec.error().to_string();
  auto platform = app::Platform::open(*spec, catalog::OpenMode::kCreate, *clock_);
  ASSERT_TRUE(platform.has_value()) << platform.error().to_string();
  platform_ = std::move(platform).value();
  auto identity = core::component_identity();
  ASSERT_TRUE(identity.has_value());
  auto report = platform_->start_runtime(*identity);
  ASSERT_TRUE(report.has_value()) << report.error().to_string();
  ASSERT_TRUE(report->is_ok()) << reconcile::to_text(*report);
  ticking_ = true;
  ticker_ = std::thread([] {
    while (ticking_) {
      platform_->tick();
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
}

void PlatformFixture::TearDownTestSuite() {
  ticking_ = false;
  if (ticker_.joinable()) ticker_.join();
  if (platform_) platform_->stop_runtime();
  platform_.reset();
  dir_.reset();
}

runtime::local::LocalRuntime& PlatformFixture::runtime() { return *platform_->runtime(); }

}  // namespace ballast::testing
