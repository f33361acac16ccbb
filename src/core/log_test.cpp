#include "core/log.h"

#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "core/file.h"
#include "core/text.h"

namespace ballast::core {
namespace {

namespace fs = std::filesystem;

// The daemon's log as an operator reads it: one JSON object per line, and the request and
// tenant a line belongs to on every line written while serving them — on that thread only.
TEST(LogTest, ContextFieldsGoOnEveryLineOfTheirThreadUntilTheScopeEnds) {
  const auto dir = fs::temp_directory_path() / ("ballast-log-test-" + hex_encode(random_bytes(4)));
  ASSERT_TRUE(ensure_dir(dir, 0700).has_value());
  log::init(dir / "ballast.log", log::Level::kInfo, false);
  {
    const log::Context request({{"request_id", "r1"}});
    log::info("api request", {{"path", "/x"}});
    {
      const log::Context tenant({{"tenant", "acme"}});
      log::info("drill started");
      std::thread([] { log::info("other thread"); }).join();
    }
    log::warn("after the tenant");
  }
  log::info("outside");
  log::reset();

  std::vector<nlohmann::json> lines;
  for (const auto& line : split(read_file(dir / "ballast.log").value(), '\n')) {
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  }
  fs::remove_all(dir);
  ASSERT_EQ(lines.size(), 5U);
  EXPECT_EQ(lines[0]["msg"], "api request");
  EXPECT_EQ(lines[0]["request_id"], "r1");
  EXPECT_EQ(lines[0]["path"], "/x");
  EXPECT_EQ(lines[1]["request_id"], "r1");
  EXPECT_EQ(lines[1]["tenant"], "acme");
  EXPECT_EQ(lines[2]["msg"], "other thread");
  EXPECT_FALSE(lines[2].contains("request_id"));
  EXPECT_EQ(lines[3]["request_id"], "r1");
  EXPECT_FALSE(lines[3].contains("tenant"));
  EXPECT_EQ(lines[3]["level"], "warn");
  EXPECT_FALSE(lines[4].contains("request_id"));
}

}  // namespace
}  // namespace ballast::core
