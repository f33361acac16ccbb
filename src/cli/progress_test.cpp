#include "cli/progress.h"

#include <gtest/gtest.h>

namespace ballast::cli {
namespace {

TEST(Progress, ShowsBytesRateAndEta) {
  const nlohmann::json p = {
      {"phase", "database"}, {"bytes", 50ULL << 20}, {"total", 200ULL << 20}, {"estimated", true}};
  const auto line = progress_line(p, std::chrono::seconds(5));
  EXPECT_NE(line.find("50.0 MiB / ~200.0 MiB  25%"), std::string::npos) << line;
  EXPECT_NE(line.find("10.0 MiB/s"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA 15 s"), std::string::npos) << line;
}

TEST(Progress, UnknownTotalsShowNoEta) {
  const auto line = progress_line({{"phase", "pgbackrest full backup"}}, std::chrono::seconds(1));
  EXPECT_EQ(line.find("ETA"), std::string::npos) << line;
  EXPECT_NE(line.find("pgbackrest full backup"), std::string::npos);
}

}  // namespace
}  // namespace ballast::cli
