// A whole embedded platform (real PostgreSQL, Redis, HAProxy) started in-process from a spec
// in a temporary state directory, shared by the tests of one binary; supervised by a
// background ticker like the daemon's control loop.
#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "app/platform.h"
#include "harness/harness.h"
#include "spec/loader.h"

namespace ballast::testing {

class PlatformFixture : public ::testing::Test {
 public:
  // A spec with a pool "main" (tenants a, b, quota-tight), a dedicated stack "solo" (tenant s).
  static std::string spec_text(std::uint16_t http_port, std::uint16_t api_port);

  static void SetUpTestSuite();
  static void TearDownTestSuite();

 protected:
  static app::Platform& platform() { return *platform_; }
  static runtime::local::LocalRuntime& runtime();
  static std::uint16_t http_port() { return http_port_; }
  // Set before SetUpTestSuite to give the spec a TLS listener (platform.ingress.https).
  static std::uint16_t https_port_;
  static const app::Actor kActor;

  static std::unique_ptr<TempDir> dir_;
  static std::unique_ptr<core::SystemClock> clock_;
  static std::unique_ptr<app::Platform> platform_;
  static std::uint16_t http_port_;
  static std::atomic<bool> ticking_;
  static std::thread ticker_;
};

}  // namespace ballast::testing
