// Proven continuity on real PostgreSQL, pgBackRest and the Odoo stand-in (or real Odoo with
// BALLAST_ODOO_SRC): the synthetic journeys pass through the proxy and leave nothing behind;
// a drill recovers a tenant into a sandbox, checks it, serves it with Odoo, runs the journeys
// on it and passes with RTO and RPO measured; a drill fails, with the reason named, when the
// RTO target is too tight or a WAL segment is missing; the sandbox is always removed; the
// metrics say all of it and promtool accepts them.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <regex>

#include <fmt/ranges.h>
#include <httplib.h>

#include "core/file.h"
#include "drill/report.h"
#include "platform_fixture.h"

namespace ballast::testing {
namespace {

using runtime::local::HostRef;
namespace fs = std::filesystem;

const HostRef kMain{HostRef::Kind::kPool, "main"};

class DrillTest : public PlatformFixture {
 public:
  static void SetUpTestSuite() {
    use_odoo_standin_unless_set();
    start(R"(platform:
  name: drills
  state_dir: state
  ingress: {base_domain: it.test, http: "127.0.0.1:{http}"}
  api: "127.0.0.1:{api}"
  odoo: {modules: [hr_timesheet, account]}
repositories:
  - {name: local, type: posix, path: backups}
plans:
  - {name: small, connections: 10}
  - {name: tiny, connections: 10, request_rate: 1/s}
pools:
  - name: main
    backup:
      repositories: [local]
      schedule: {full: 30d, differential: 30d, incremental: 30d, tenant: 30d, verify: 30d, drill: 30d}
tenants:
  - name: acme
    pool: main
    plan: small
    domains: [acme.it.test]
    continuity:
      timesheets: {rpo: 15m, rto: 1h}
      billing: {rpo: 5m, rto: 30m}
      reporting: {rpo: 24h, rto: 8h}
  - name: rushed
    pool: main
    plan: tiny
    domains: [rushed.it.test]
    continuity:
      billing: {rpo: 5m, rto: 1s}
)");
    // The scheduler's first run: the cluster's full backup that recovery starts from.
    platform().run_schedules();
  }

 protected:
  static std::string query(const std::string& tenant, const std::string& sql) {
    auto rows = runtime().postgres_admin(kMain, tenant).value().query(sql);
    return rows.has_value() ? rows->at(0, 0) : rows.error().to_string();
  }
  static std::vector<fs::path> sandboxes() {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(runtime().layout().root / "sandboxes", ec))
      out.push_back(e.path());
    return out;
  }
  static std::vector<std::string> reasons(const nlohmann::json& drill) {
    std::vector<std::string> out;
    for (const auto& r : drill.value("reasons", nlohmann::json::array())) out.push_back(r);
    return out;
  }
};

TEST_F(DrillTest, JourneysPassThroughTheProxyAndLeaveNothingBehind) {
  auto run = platform().journeys_run("acme");
  ASSERT_TRUE(run.has_value()) << run.error().to_string();
  EXPECT_TRUE((*run)["ok"].get<bool>()) << run->dump(2);
  std::vector<std::string> names;
  for (const auto& j : (*run)["journeys"]) {
    names.push_back(j["journey"]);
    EXPECT_TRUE(j["ok"].get<bool>()) << j.dump(2);
    for (const auto& s : j["steps"]) EXPECT_GE(s["seconds"].get<double>(), 0.0);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"login", "timesheet", "invoice", "report"}));
  // Production keeps no synthetic timesheet and no invoice: none posted, the draft deleted.
  // (Real Odoo has analytic lines of its own after installing hr_timesheet and account.)
  EXPECT_EQ(query("acme",
                  "SELECT count(*) FROM account_analytic_line WHERE name LIKE "
                  "'[ballast-synthetic]%'"),
            "0");
  EXPECT_EQ(query("acme",
                  "SELECT count(*) FROM account_move m JOIN res_partner p ON p.id = m.partner_id "
                  "WHERE p.name = 'Ballast synthetic customer'"),
            "0");
  EXPECT_EQ(query("acme", "SELECT count(*) FROM res_users WHERE login = 'ballast-synthetic'"), "1");
  // A second run reuses the synthetic user.
  auto again = platform().journeys_run("acme");
  ASSERT_TRUE(again.has_value()) << again.error().to_string();
  EXPECT_TRUE((*again)["ok"].get<bool>()) << again->dump(2);
  EXPECT_EQ(query("acme", "SELECT count(*) FROM res_users WHERE login = 'ballast-synthetic'"), "1");
  auto failures = platform().catalog().continuity().consecutive_failures("acme", "invoice");
  EXPECT_EQ(failures.value_or(-1), 0);
}

TEST_F(DrillTest, ADrillRecoversChecksServesAndPassesWithRtoAndRpoMeasured) {
  ASSERT_TRUE(runtime()
                  .postgres_admin(kMain, "acme")
                  .value()
                  .exec("INSERT INTO res_partner (name, active, company_id, autopost_bills) VALUES "
                        "('Client before the drill', true, 1, 'ask')")
                  .has_value());
  auto drill = platform().drill_run({"acme", "latest"}, app::Actor{"test"});
  ASSERT_TRUE(drill.has_value()) << drill.error().to_string();
  EXPECT_TRUE((*drill)["passed"].get<bool>()) << drill->dump(2);
  EXPECT_EQ((*drill)["state"], "passed");
  EXPECT_GT((*drill)["rto_seconds"].get<double>(), 0.0);
  EXPECT_GE((*drill)["rpo_seconds"].get<double>(), 0.0);
  EXPECT_LT((*drill)["rpo_seconds"].get<double>(), 300.0) << "recovered to the newest data";
  EXPECT_EQ((*drill)["amcheck"], "clean");
  EXPECT_EQ((*drill)["checks"]["copy"]["partners"], (*drill)["checks"]["recorded"]["partners"]);
  bool posted = false;
  for (const auto& j : (*drill)["journeys"]) {
    EXPECT_TRUE(j["ok"].get<bool>()) << j.dump(2);
    for (const auto& s : j["steps"]) posted = posted || s["step"] == "post";
  }
  EXPECT_TRUE(posted) << "on the copy the invoice is posted";
  EXPECT_EQ(query("acme", "SELECT count(*) FROM account_move WHERE state = 'posted'"), "0")
      << "never in production";
  EXPECT_TRUE(sandboxes().empty()) << "the sandbox is removed";

  auto history = platform().drill_history("acme");
  ASSERT_TRUE(history.has_value());
  ASSERT_FALSE(history->drills.empty());
  EXPECT_EQ(history->drills.front().state, "passed");
  const auto html = drill::report_html(*history);
  EXPECT_NE(html.find("Restore drills: acme"), std::string::npos);

  auto readiness = platform().readiness("acme");
  ASSERT_TRUE(readiness.has_value()) << readiness.error().to_string();
  EXPECT_NE((*readiness)["status"], "not_ready") << readiness->dump(2);

  // Past its rate limit (10 requests in 10 s), the proxy refuses rushed's requests with 429.
  httplib::Client proxy("127.0.0.1", http_port());
  int refused = 0;
  for (int i = 0; i < 25; ++i) {
    auto res = proxy.Get("/web/health", {{"Host", "rushed.it.test"}});
    if (res && res->status == 429) ++refused;
  }
  EXPECT_GT(refused, 0);

  auto metrics = platform().metrics();
  ASSERT_TRUE(metrics.has_value()) << metrics.error().to_string();
  const auto sample = [&](const std::string& series) {
    const auto at = metrics->find(series + " ");
    return at == std::string::npos ? -1.0 : std::stod(metrics->substr(at + series.size() + 1));
  };
  EXPECT_GT(sample("ballast_proxy_requests_total{tenant=\"acme\"}"), 0) << "the journeys came in";
  EXPECT_GE(sample("ballast_proxy_requests_total{tenant=\"rushed\"}"), 25);
  EXPECT_GE(sample("ballast_proxy_rate_limited_total{tenant=\"rushed\"}"), refused);
  EXPECT_GE(sample("ballast_proxy_responses_total{tenant=\"rushed\",class=\"4xx\"}"), 0);
  EXPECT_GT(sample("ballast_redis_memory_bytes{cluster=\"pool/main\"}"), 0);
  EXPECT_GE(sample("ballast_redis_evicted_keys_total{cluster=\"pool/main\"}"), 0);
  EXPECT_NE(metrics->find("ballast_drill_success{tenant=\"acme\"} 1"), std::string::npos)
      << *metrics;
  EXPECT_NE(metrics->find("ballast_rpo_seconds{tenant=\"acme\"}"), std::string::npos);
  EXPECT_NE(metrics->find("ballast_archive_lag_seconds{cluster=\"pool/main\"}"), std::string::npos);
  EXPECT_NE(metrics->find("ballast_tenant_readiness{tenant=\"acme\",status="), std::string::npos);
  if (std::system("command -v promtool >/dev/null") == 0) {
    const auto file = fs::temp_directory_path() / ("ballast-drill-" + std::to_string(::getpid()));
    ASSERT_TRUE(core::write_file_atomic(file, *metrics, 0600).has_value());
    const auto cmd =
        "promtool check metrics < " + file.string() + " > " + file.string() + ".out 2>&1";
    const int rc = std::system(cmd.c_str());
    const auto said = core::read_file(file.string() + ".out").value_or("");
    fs::remove(file);
    fs::remove(file.string() + ".out");
    EXPECT_EQ(rc, 0) << said;
    EXPECT_EQ(said, "");
  }
}

TEST_F(DrillTest, ATargetRtoTooTightFailsTheDrillNamingTheProcess) {
  auto drill = platform().drill_run({"rushed", "latest"}, app::Actor{"test"});
  ASSERT_TRUE(drill.has_value()) << drill.error().to_string();
  EXPECT_FALSE((*drill)["passed"].get<bool>());
  const auto why = reasons(*drill);
  ASSERT_FALSE(why.empty()) << drill->dump(2);
  EXPECT_TRUE(std::any_of(why.begin(), why.end(), [](const std::string& r) {
    return std::regex_search(r, std::regex("^billing: RTO .* is over the target of 1\\.0 s$"));
  })) << drill->dump(2);
  EXPECT_TRUE(sandboxes().empty());
  auto readiness = platform().readiness("rushed");
  ASSERT_TRUE(readiness.has_value());
  EXPECT_EQ((*readiness)["status"], "not_ready") << readiness->dump(2);
}

TEST_F(DrillTest, ACorruptedBackupFailsTheDrillNamingTheFile) {
  ASSERT_TRUE(runtime().cluster_backup(kMain, "full").has_value());
  // The biggest data file of the newest backup set, damaged in the middle.
  fs::path newest;
  for (const auto& e : fs::directory_iterator(*dir_ / "backups" / "pgbackrest" / "backup")) {
    for (const auto& set : fs::directory_iterator(e.path())) {
      if (set.is_directory() && set.path().filename().string().find('F') != std::string::npos &&
          set.path().filename() > newest.filename()) {
        newest = set.path();
      }
    }
  }
  ASSERT_FALSE(newest.empty());
  fs::path victim;
  std::uintmax_t biggest = 0;
  // In the tenant's database: a drill restores only that one (--db-include).
  const auto oid = query("acme", "SELECT oid FROM pg_database WHERE datname = 'acme'");
  for (const auto& e : fs::recursive_directory_iterator(newest / "pg_data" / "base" / oid)) {
    if (e.is_regular_file() && e.file_size() > biggest) {
      biggest = e.file_size();
      victim = e.path();
    }
  }
  ASSERT_FALSE(victim.empty());
  // 64 bytes overwritten, and put back when the test ends (the next test recovers from it).
  struct Damage {
    fs::path file;
    std::streamoff at;
    std::string saved = std::string(64, '\0');
    Damage(fs::path f, std::streamoff offset) : file(std::move(f)), at(offset) {
      std::fstream io(file, std::ios::in | std::ios::out | std::ios::binary);
      io.seekg(at);
      io.read(saved.data(), static_cast<std::streamsize>(saved.size()));
      io.seekp(at);
      const std::string junk(saved.size(), '\x5a');
      io.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
    Damage(const Damage&) = delete;
    Damage& operator=(const Damage&) = delete;
    ~Damage() {
      std::fstream io(file, std::ios::in | std::ios::out | std::ios::binary);
      io.seekp(at);
      io.write(saved.data(), static_cast<std::streamsize>(saved.size()));
    }
  };
  const Damage damage(victim, static_cast<std::streamoff>(biggest / 2));
  // pgBackRest names files by their path in the data directory, without the compression suffix.
  const auto relative = fs::relative(victim, newest / "pg_data").replace_extension().string();

  auto drill = platform().drill_run({"acme", "latest"}, app::Actor{"test"});
  ASSERT_TRUE(drill.has_value()) << drill.error().to_string();
  EXPECT_FALSE((*drill)["passed"].get<bool>());
  const auto why = reasons(*drill);
  ASSERT_FALSE(why.empty());
  const auto all = fmt::format("{}", fmt::join(why, "\n"));
  EXPECT_NE(all.find("restoring pool/main"), std::string::npos) << all;
  EXPECT_NE(all.find(relative), std::string::npos) << "names " << relative << ": " << all;
  EXPECT_TRUE(sandboxes().empty());
}

TEST_F(DrillTest, AMissingWalSegmentFailsTheDrillNamingIt) {
  auto segments = [] {
    std::vector<std::string> out;
    const std::regex wal("^[0-9A-F]{24}-.*");
    for (const auto& e :
         fs::recursive_directory_iterator(*dir_ / "backups" / "pgbackrest" / "archive")) {
      const auto name = e.path().filename().string();
      if (std::regex_match(name, wal)) out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  const auto before = segments();
  // New WAL after the backup, archived, then one segment of it lost.
  ASSERT_TRUE(runtime()
                  .postgres_admin(kMain, "acme")
                  .value()
                  .exec("INSERT INTO res_partner (name, active, company_id, autopost_bills) "
                        "SELECT 'p' || g, true, 1, 'ask' FROM generate_series(1, 200) g")
                  .has_value());
  ASSERT_TRUE(runtime().archive_now(kMain).has_value());
  ASSERT_TRUE(runtime().archive_now(kMain).has_value());
  std::vector<std::string> added;
  for (const auto& s : segments()) {
    if (std::find(before.begin(), before.end(), s) == before.end()) added.push_back(s);
  }
  ASSERT_FALSE(added.empty());
  const auto lost = fs::path(added.front()).filename().string().substr(0, 24);
  fs::remove(added.front());

  auto drill = platform().drill_run({"acme", "latest"}, app::Actor{"test"});
  ASSERT_TRUE(drill.has_value()) << drill.error().to_string();
  EXPECT_FALSE((*drill)["passed"].get<bool>());
  const auto why = reasons(*drill);
  ASSERT_FALSE(why.empty());
  EXPECT_NE(why.front().find(lost), std::string::npos) << "names " << lost << ": " << why.front();
  EXPECT_TRUE(sandboxes().empty());
}

}  // namespace
}  // namespace ballast::testing
