// Backups and point-in-time recovery as an operator runs them from the command line, against a
// daemon with real PostgreSQL and pgBackRest: a cluster backup, its history and the recovery
// window, a tenant restored to a second inside it, and the refusals an operator can meet.
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness/harness.h"

namespace ballast::testing {
namespace {

class BackupCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_text(dir_ / "ballast.yaml", fmt::format(R"(platform:
  name: e2e-backup
  state_dir: state
  ingress: {{base_domain: e2e.test, http: "127.0.0.1:{}"}}
  api: "127.0.0.1:{}"
repositories:
  - {{name: local, type: posix, path: backups}}
plans: [{{name: small}}]
pools:
  - name: main
    backup:
      repositories: [local]
      schedule: {{full: 30d, differential: 30d, incremental: 30d, tenant: 30d, verify: 30d}}
tenants: [{{name: acme, pool: main, plan: small}}]
)",
                                                  free_port(), free_port()));
  }
  void TearDown() override { run_ballast({"down"}, dir_.path()); }
  nlohmann::json json(const std::vector<std::string>& args) {
    auto argv = args;
    argv.insert(argv.end(), {"--output", "json"});
    auto r = run_ballast(argv, dir_.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    // Long work streams {"progress": …} lines before the answer.
    const auto answer = split_progress(r.out);
    for (const auto& line : answer.progress) {
      EXPECT_TRUE(nlohmann::json::parse(line)["progress"].contains("phase")) << line;
    }
    progress_lines_ = static_cast<int>(answer.progress.size());
    return nlohmann::json::parse(answer.text.empty() ? "{}" : answer.text);
  }
  TempDir dir_;
  int progress_lines_ = 0;
};

TEST_F(BackupCliTest, ClusterBackupHistoryWindowAndRestoreToASecond) {
  ASSERT_EQ(run_ballast({"up", "--detach"}, dir_.path()).exit_code, 0);
  auto full = json({"backup", "cluster", "main", "--type", "full"});
  EXPECT_EQ(full["cluster"], "pool/main");
  EXPECT_EQ(full["type"], "full");
  EXPECT_GT(full["size_bytes"].get<std::uint64_t>(), 0U);

  EXPECT_GE(progress_lines_, 1) << "a cluster backup reports its phase";
  auto tenant_backup = json({"backup", "create", "acme"});
  EXPECT_GE(progress_lines_, 2) << "database and file store phases";
  EXPECT_FALSE(tenant_backup.value("id", "").empty()) << tenant_backup.dump();
  auto manifest = run_ballast({"backup", "show", "acme"}, dir_.path());
  ASSERT_EQ(manifest.exit_code, 0) << manifest.err;
  EXPECT_NE(manifest.out.find("part database"), std::string::npos) << manifest.out;
  EXPECT_NE(manifest.out.find("part filestore"), std::string::npos) << manifest.out;

  auto history = run_ballast({"backup", "history", "main"}, dir_.path());
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_NE(history.out.find("full"), std::string::npos) << history.out;
  EXPECT_NE(history.out.find("Point-in-time recovery reaches"), std::string::npos) << history.out;

  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto window = json({"backup", "window", "acme"});
  ASSERT_TRUE(window.contains("latest")) << window.dump();
  const std::string at = window["latest"];

  auto restored = json({"restore", "acme", "--at", at, "--as", "acme-then", "--reason", "e2e"});
  EXPECT_EQ(restored["restored_into"], "acme-then");
  EXPECT_EQ(restored["at"], at);
  auto shown = json({"tenant", "show", "acme-then"});
  EXPECT_EQ(shown["state"], "active") << shown.dump();

  auto outside =
      run_ballast({"restore", "acme", "--at", "2001-01-01T00:00:00Z", "--as", "x"}, dir_.path());
  EXPECT_EQ(outside.exit_code, 2) << outside.out << outside.err;
  EXPECT_NE(outside.err.find("outside the recovery window"), std::string::npos) << outside.err;
  auto bad_type = run_ballast({"backup", "cluster", "main", "--type", "weekly"}, dir_.path());
  EXPECT_EQ(bad_type.exit_code, 2);
  auto nowhere = run_ballast({"backup", "cluster", "nowhere"}, dir_.path());
  EXPECT_NE(nowhere.exit_code, 0);
  EXPECT_NE(nowhere.err.find("no pool or stack is called 'nowhere'"), std::string::npos)
      << nowhere.err;

  auto audit = json({"audit", "list"});
  bool saw_restore = false;
  for (const auto& e : audit["entries"]) {
    if (e.value("action", "") == "tenant.restore" && e.value("outcome", "") == "ok")
      saw_restore = true;
  }
  EXPECT_TRUE(saw_restore) << audit.dump(1);
}

}  // namespace
}  // namespace ballast::testing
