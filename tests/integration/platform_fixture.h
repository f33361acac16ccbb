// A whole embedded platform (real PostgreSQL, Redis, HAProxy) started in-process from a spec
// in a temporary state directory, shared by the tests of one binary; supervised by a
// background ticker like the daemon's control loop.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "app/platform.h"
#include "harness/harness.h"
#include "spec/loader.h"

namespace ballast::testing {

// The system clock, moved forward by a test (retention, expiry) without touching the machine.
class ShiftedClock final : public core::Clock {
 public:
  [[nodiscard]] core::SystemTime now() const override {
    return std::chrono::system_clock::now() + std::chrono::seconds(offset_seconds.load());
  }
  [[nodiscard]] core::SteadyTime steady_now() const override {
    return std::chrono::steady_clock::now();
  }
  std::atomic<std::int64_t> offset_seconds{0};
};

class PlatformFixture : public ::testing::Test {
 public:
  // A spec with a pool "main" (tenants a, b, quota-tight), a dedicated stack "solo" (tenant s).
  static std::string spec_text(std::uint16_t http_port, std::uint16_t api_port);

  static void SetUpTestSuite();
  // Starts the platform on `spec` (spec_text's placeholders: {http}, {api}).
  static void start(const std::string& spec);
  static void TearDownTestSuite();
  // Tenants run on the Odoo stand-in unless BALLAST_ODOO_SRC already names a real Odoo tree.
  static void use_odoo_standin_unless_set();
  // Tenants run without an application tier even when BALLAST_ODOO_SRC is set: for suites about
  // the platform tier alone, whose expectations (the proxy's "not deployed" page, dropping a
  // tenant's role to fake drift) only hold while no Odoo serves or connects.
  static void run_without_odoo();

  // Requests sent through the proxy to `host` over plain HTTP while `action` runs (and 200 ms
  // after): how many got `status`, how many did not (no answer or another status).
  struct Traffic {
    int answered = 0;
    int failed = 0;
  };
  static Traffic traffic_during(const std::string& host, int status,
                                const std::function<void()>& action);

 protected:
  static app::Platform& platform() { return *platform_; }
  static runtime::local::LocalRuntime& runtime();
  static std::uint16_t http_port() { return http_port_; }
  // Set before SetUpTestSuite to give the spec a TLS listener (platform.ingress.https).
  static std::uint16_t https_port_;
  static const app::Actor kActor;

  static std::unique_ptr<TempDir> dir_;
  static std::unique_ptr<ShiftedClock> clock_;
  static std::unique_ptr<app::Platform> platform_;
  static std::uint16_t http_port_;
  static std::atomic<bool> ticking_;
  static std::thread ticker_;
};

}  // namespace ballast::testing
