// libFuzzer target: any request line and body given to the API's request parsing — route
// matching, path-parameter checks, admission and JSON Schema validation of the body over the
// real route table — ends in a Request or an Error, never a crash, hang or sanitizer report.
// Input: "<METHOD> <PATH>\n<BODY>".
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

#include "api/gate.h"
#include "api/router.h"
#include "api/routes.h"
#include "core/crypto.h"
#include "spec/loader.h"

namespace {

using namespace ballast;

struct Fixture {
  core::SystemClock clock;
  std::unique_ptr<app::Platform> platform;
  std::vector<api::Route> routes;
  std::unique_ptr<api::Router> router;
  api::Gate gate;
};

Fixture* make_fixture() {
  auto* f = new Fixture();  // lives for the whole run, like libFuzzer itself
  const auto dir = std::filesystem::temp_directory_path() /
                   ("ballast-fuzz-" + core::hex_encode(core::random_bytes(4)));
  const std::string yaml = "platform:\n  name: fuzz\n  state_dir: " + dir.string() +
                           "\n  ingress: {base_domain: fuzz.test}\nplans: [{name: small}]\n";
  f->platform = app::Platform::open(spec::parse(yaml, "fuzz.yaml").value(),
                                    catalog::OpenMode::kCreate, f->clock)
                    .value();
  f->routes = api::build_routes(api::RouteContext{*f->platform, [] {}, "fuzz"});
  f->router = std::make_unique<api::Router>(f->routes);
  f->gate.authenticate = [](std::string_view) -> core::Result<security::Principal> {
    return security::Principal{"token:fuzz", security::Role::kTenantAdmin, {"acme"}};
  };
  f->gate.verify_second_factor = [](const security::Principal&, std::string_view) {
    return core::ok();
  };
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture* fixture = make_fixture();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto line_end = text.find('\n');
  const std::string_view line = text.substr(0, line_end);
  const std::string_view body = line_end == std::string_view::npos ? "" : text.substr(line_end + 1);
  const auto space = line.find(' ');
  if (space == std::string_view::npos) return 0;
  auto match = fixture->router->match(line.substr(0, space), line.substr(space + 1));
  if (!match.has_value()) {
    if (match.error().message().empty()) __builtin_trap();
    return 0;
  }
  api::RawRequest raw{std::string(line.substr(0, space)),
                      std::string(line.substr(space + 1)),
                      match->params,
                      {},
                      "Bearer bt_0123456789ab_x",
                      "123456",
                      std::string(body),
                      "fuzz"};
  auto request = api::admit(fixture->gate, *match->route, std::move(raw));
  if (!request.has_value() && request.error().message().empty()) __builtin_trap();
  return 0;
}
