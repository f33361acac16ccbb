// bench/backup: tenant backup, restore, cluster backup and point-in-time recovery on a tenant
// of realistic Odoo-shaped data, each beside its reference measured in the same run.
//
//   bench_backup [MEGABYTES=1024]
//
// Data: timesheet lines, invoices, partners (text that compresses about 2x) and file-store
// attachments (half random, half repeated) of about MEGABYTES in total.
// References:
//   * tenant backup: `pg_dump -Fc | zstd -1 | openssl enc -aes-256-ctr` and
//     `tar -C filestore -c . | zstd -1 | openssl enc` to files, as a shell script would, then
//     `sync` of those files (Ballast's repository fsyncs each object; both figures shown);
//   * tenant restore: `pg_restore -j2` of a -Fc dump into an empty database and `tar -x`;
//   * cluster full backup: `pgbackrest backup --type=full` run by hand with the same stanza;
//   * point-in-time recovery of one tenant: the same steps by hand (pgbackrest restore of the
//     one database into a directory, a postmaster until recovery promotes, pg_dump | pg_restore
//     into a new database, the file store hard-linked with `cp -al` as Ballast links it).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "app/platform.h"
#include "components/pgbackrest/stanza.h"
#include "components/postgres/cluster.h"
#include "core/crypto.h"
#include "core/file.h"
#include "harness/harness.h"
#include "spec/loader.h"

namespace {

using namespace ballast;
using Clock = std::chrono::steady_clock;
using runtime::local::HostRef;
const HostRef kMain{HostRef::Kind::kPool, "main"};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Failures unwind to main, which stops the platform: no component outlives the benchmark.
struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void die(const std::string& what) { throw Failure(what); }

template <typename T>
T must(core::Result<T> r, const char* what) {
  if (!r.has_value()) die(std::string(what) + ": " + r.error().to_string());
  return std::move(r).value();
}

void must_ok(const core::Status& s, const char* what) {
  if (!s.has_value()) die(std::string(what) + ": " + s.error().to_string());
}

// Runs a shell pipeline as the component user (it reads the cluster's socket).
double timed_shell(const std::string& script, const core::Identity& id,
                   const std::map<std::string, std::string>& env) {
  core::Command command{.argv = {"/bin/bash", "-o", "pipefail", "-c", script}, .env = env};
  if (!id.is_caller) {
    command.uid = id.uid;
    command.gid = id.gid;
  }
  const auto start = Clock::now();
  auto done = core::run_checked(command, std::chrono::hours(2));
  if (!done.has_value()) die("reference: " + done.error().to_string());
  return seconds_since(start);
}

void generate(app::Platform& platform, std::uint64_t megabytes) {
  auto db = must(platform.runtime()->postgres_admin(kMain, "big"), "connect");
  // About 40% of the data in tables, 60% in attachments.
  const auto rows = megabytes * 1024 * 1024 * 4 / 10 / 200;
  must_ok(db.exec("CREATE TABLE res_partner (id serial primary key, name text, email text, "
                  "street text, city text)"),
          "partners");
  must_ok(db.exec("CREATE TABLE account_analytic_line (id bigserial primary key, partner_id int, "
                  "name text, unit_amount numeric, date date, project text)"),
          "timesheets");
  must_ok(db.exec("CREATE TABLE account_move (id bigserial primary key, partner_id int, name "
                  "text, amount_total numeric, narration text)"),
          "invoices");
  must_ok(db.exec("INSERT INTO res_partner (name, email, street, city) SELECT 'Client ' || g, "
                  "'contact' || g || '@client' || (g % 97) || '.example', (g % 300) || ' Main "
                  "Street', (ARRAY['Brussels','Ghent','Liege','Antwerp'])[1 + g % 4] FROM "
                  "generate_series(1, 20000) g"),
          "partners rows");
  must_ok(db.exec(fmt::format(
              "INSERT INTO account_analytic_line (partner_id, name, unit_amount, date, project) "
              "SELECT 1 + g % 20000, 'Review of ' || md5(g::text) || ' for engagement ' || (g % "
              "500), (g % 16) / 2.0, date '2026-01-01' + (g % 300), 'Project ' || (g % 800) "
              "FROM generate_series(1, {}) g",
              rows * 7 / 10)),
          "timesheet rows");
  must_ok(db.exec(fmt::format(
              "INSERT INTO account_move (partner_id, name, amount_total, narration) SELECT 1 + g "
              "% 20000, 'INV/2026/' || lpad(g::text, 6, '0'), (g % 9000) + 0.5, 'Services "
              "rendered ' || md5((g * 7)::text) || ' payment within 30 days' FROM "
              "generate_series(1, {}) g",
              rows * 3 / 10)),
          "invoice rows");
  for (const char* table : {"res_partner", "account_analytic_line", "account_move"}) {
    must_ok(db.exec(fmt::format("ALTER TABLE {} OWNER TO big", table)), "owners");
  }
  const auto filestore = platform.runtime()->layout().filestore("big");
  const std::uint64_t files = megabytes * 6 / 10;  // 1 MiB each
  for (std::uint64_t i = 0; i < files; ++i) {
    std::string content = core::random_bytes(512 * 1024);
    content += std::string(512 * 1024, static_cast<char>('a' + i % 26));
    const auto name = core::sha256_hex(content);
    const auto path = filestore / name.substr(0, 2) / name;
    must_ok(core::ensure_dir(path.parent_path(), 0700), "filestore dir");
    must_ok(core::write_file_atomic(path, content, 0600), "attachment");
  }
  const auto& id = platform.runtime()->identity();
  must_ok(core::chown_path(platform.runtime()->layout().tenant_dir("big"), id.uid, id.gid, true),
          "chown");
}

}  // namespace

int run(std::uint64_t megabytes, const testing::TempDir& dir,
        std::unique_ptr<app::Platform>& platform);

int main(int argc, char** argv) {
  const std::uint64_t megabytes = argc > 1 ? std::stoull(argv[1]) : 1024;
  // The directory outlives the platform: stopping it after a failure needs its state.
  testing::TempDir dir("ballast-bench-backup");
  std::unique_ptr<app::Platform> platform;
  try {
    return run(megabytes, dir, platform);
  } catch (const Failure& failure) {
    std::fprintf(stderr, "bench_backup: %s\n", failure.what());
    if (platform) platform->stop_runtime();
    return 1;
  }
}

int run(std::uint64_t megabytes, const testing::TempDir& dir,
        std::unique_ptr<app::Platform>& platform) {
  testing::write_text(dir / "ballast.yaml",
                      fmt::format(R"(platform:
  name: bench
  ingress: {{base_domain: bench.test, http: "127.0.0.1:{}"}}
  api: "127.0.0.1:{}"
repositories: [{{name: local, type: posix, path: backups}}]
plans: [{{name: big, db_size: 100GiB, filestore_size: 100GiB}}]
pools:
  - name: main
    backup:
      repositories: [local]
      schedule: {{full: 365d, differential: 365d, incremental: 365d, tenant: 365d, verify: 365d}}
tenants: [{{name: big, pool: main, plan: big}}]
)",
                                  testing::free_port(), testing::free_port()));
  static core::SystemClock clock;  // the platform keeps a reference past run() on failure
  auto spec = must(spec::load(dir / "ballast.yaml"), "spec");
  platform = must(app::Platform::open(spec, catalog::OpenMode::kCreate, clock), "open");
  (void)must(platform->start_runtime(must(core::component_identity(), "identity")), "start");
  const auto& id = platform->runtime()->identity();
  std::printf("generating ~%llu MiB of Odoo-shaped data...\n",
              static_cast<unsigned long long>(megabytes));
  generate(*platform, megabytes);
  auto admin = must(platform->runtime()->postgres_admin(kMain), "admin");
  const auto db_bytes =
      std::stoull(must(admin.query("SELECT pg_database_size('big')"), "size").at(0, 0));
  std::printf("database %.0f MiB, file store %llu MiB\n", static_cast<double>(db_bytes) / 1048576.0,
              static_cast<unsigned long long>(megabytes * 6 / 10));

  const app::Actor actor{"bench"};
  const auto port = must(platform->runtime()->postgres_port(kMain), "port");
  const auto password =
      must(platform->catalog().secrets().get(kMain.owner(), "postgres_admin_password"), "pw");
  const auto socket = platform->runtime()->layout().pg_socket_dir(kMain).string();
  const auto filestore = platform->runtime()->layout().filestore("big").string();
  const auto scratch = dir / "reference";
  must_ok(core::ensure_dir(scratch, 0777), "scratch");
  must_ok(core::chown_path(scratch, id.uid, id.gid), "scratch owner");
  const std::map<std::string, std::string> env = {{"PGPASSWORD", password.reveal()},
                                                  {"K", core::hex_encode(core::random_bytes(32))}};
  const std::string pg = components::postgres::bin_dir().string();
  const std::string conn =
      fmt::format("-h {} -p {} -U {}", socket, port, components::postgres::kAdminRole);

  // 1. Tenant backup vs the shell pipeline (interleaved: reference, Ballast, reference, Ballast).
  // Ballast's repository fsyncs every object before it counts as stored; the pipeline's files
  // are synced too (timed apart, so both ratios are shown).
  double ours = 1e9;
  double reference = 1e9;
  double reference_synced = 1e9;
  for (int round = 0; round < 3; ++round) {
    const double piped =
        timed_shell(fmt::format("{0}/pg_dump {1} -Fc big | zstd -1 -q | openssl enc -aes-256-ctr "
                                "-pbkdf2 -pass env:K > {2}/db.enc && tar -C {3} -c . | zstd -1 -q "
                                "| openssl enc -aes-256-ctr -pbkdf2 -pass env:K > {2}/fs.enc",
                                pg, conn, scratch.string(), filestore),
                    id, env);
    const double synced =
        timed_shell(fmt::format("sync {0}/db.enc {0}/fs.enc", scratch.string()), id, env);
    reference = std::min(reference, piped);
    reference_synced = std::min(reference_synced, piped + synced);
    const auto start = Clock::now();
    (void)must(platform->backup_create("big", "local", "bench", actor), "backup");
    ours = std::min(ours, seconds_since(start));
  }
  std::printf(
      "tenant backup:   Ballast %.2f s (%.0f MiB/s)   shell pipeline %.2f s, %.2f s with its files "
      "synced   ratio %.2fx (%.2fx to the unsynced pipeline)\n",
      ours, static_cast<double>(megabytes) / ours, reference, reference_synced,
      ours / reference_synced, ours / reference);
  std::fflush(stdout);

  // 2. Tenant restore into a new tenant vs pg_restore -j2 (+ tar -x).
  timed_shell(fmt::format("{0}/pg_dump {1} -Fc -f {2}/db.dump big", pg, conn, scratch.string()), id,
              env);
  double restore_ours = 1e9;
  double restore_ref = 1e9;
  for (int round = 0; round < 2; ++round) {
    const auto db = fmt::format("ref{}", round);
    restore_ref = std::min(
        restore_ref,
        timed_shell(fmt::format("{0}/createdb {1} {2} && {0}/pg_restore {1} -j2 -d {2} "
                                "{3}/db.dump && mkdir -p {3}/fs{4} && tar -C {3}/fs{4} -xf <(tar "
                                "-C {5} -c .)",
                                pg, conn, db, scratch.string(), round, filestore),
                    id, env));
    app::RestoreRequest request;
    request.tenant = "big";
    request.as = fmt::format("big-restored-{}", round);
    const auto start = Clock::now();
    (void)must(platform->restore(request, actor), "restore");
    restore_ours = std::min(restore_ours, seconds_since(start));
  }
  std::printf("tenant restore:  Ballast %.2f s   pg_restore -j2 + tar %.2f s   ratio %.2fx\n",
              restore_ours, restore_ref, restore_ours / restore_ref);
  std::fflush(stdout);

  // 3. Cluster full backup vs pgbackrest run by hand with the same stanza.
  auto stanza = must(platform->runtime()->stanza(kMain), "stanza");
  double cluster_ours = 1e9;
  double cluster_ref = 1e9;
  // Untimed: the first cluster backup through Ballast also checks the stanza once.
  (void)must(platform->cluster_backup("main", "incr", actor), "warm-up cluster backup");
  for (int round = 0; round < 3; ++round) {
    const auto start_ref = Clock::now();
    (void)must(components::pgbackrest::run(stanza, id, {"backup", "--type=full", "--repo=1"},
                                           std::chrono::hours(2)),
               "pgbackrest");
    const double ref_round = seconds_since(start_ref);
    cluster_ref = std::min(cluster_ref, ref_round);
    const auto start = Clock::now();
    (void)must(platform->cluster_backup("main", "full", actor), "cluster backup");
    const double our_round = seconds_since(start);
    cluster_ours = std::min(cluster_ours, our_round);
    std::printf("  cluster backup round %d: pgbackrest %.2f s, Ballast %.2f s\n", round, ref_round,
                our_round);
  }
  std::printf("cluster backup:  Ballast %.2f s   pgbackrest %.2f s   overhead %+.1f%%\n",
              cluster_ours, cluster_ref, (cluster_ours / cluster_ref - 1.0) * 100.0);
  std::fflush(stdout);

  // 4. Point-in-time recovery of one tenant out of the shared cluster, end to end, vs the same
  // steps by hand: pgbackrest restore of that database alone into a directory, a postmaster
  // on it until recovery promotes, pg_dump | pg_restore into a new database of the live
  // cluster, the file store hard-linked (`cp -al`). Both recover to the same second.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const auto target = clock.now();
  const std::string when = core::format_rfc3339_ms(target);
  std::map<std::string, std::string> hand_env = components::pgbackrest::secret_env(stanza);
  hand_env["PGPASSWORD"] = password.reveal();
  double pitr_ours = 1e9;
  double pitr_ref = 1e9;
  std::string reached;
  for (int round = 0; round < 2; ++round) {
    const auto sandbox = scratch / fmt::format("pitr{}", round);
    const auto sandbox_port = testing::free_port();
    pitr_ref = std::min(
        pitr_ref,
        timed_shell(
            fmt::format(
                R"(set -e
unset AWS_CA_BUNDLE
d={sandbox}; mkdir -p $d/data $d/run; chmod 700 $d/data $d/run
cd {config_dir}
# Recovery to a time needs a commit after it in the archive: write one, switch, archive.
{pg}/psql {conn} -d postgres -Xqc 'CREATE TABLE IF NOT EXISTS hand_mark (at timestamptz)' \
  -c 'INSERT INTO hand_mark VALUES (now())'
pgbackrest --config={config} --stanza={stanza} check
# As Ballast does: WAL fetched synchronously, a spool of its own (see restore_sandbox).
pgbackrest --config={config} --stanza={stanza} restore --pg1-path=$d/data --type=time \
  --spool-path=$d/spool "--target={target}" --target-action=promote --db-include=big \
  --archive-mode=off --repo=1 \
  '--recovery-option=restore_command={restore_command}'
{pg}/postgres -D $d/data -p {port} -k $d/run -c listen_addresses= -c archive_mode=off \
  -c shared_buffers=64MB > $d/postgres.log 2>&1 &
pid=$!
trap 'kill -INT $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
state=
for i in $(seq 1 36000); do
  state=$({pg}/psql -h $d/run -p {port} -U {admin} -d postgres -XtAc \
    'SELECT pg_is_in_recovery()' 2>/dev/null || true)
  [ "$state" = f ] && break
  kill -0 $pid 2>/dev/null || {{ echo "the postmaster stopped:" >&2; tail -40 $d/postgres.log >&2; exit 1; }}
  sleep 0.2
done
[ "$state" = f ] || {{ echo "recovery did not finish" >&2; exit 1; }}
{pg}/createdb {conn} bighand{round}
{pg}/pg_dump -h $d/run -p {port} -U {admin} -Fc big | \
  {pg}/pg_restore {conn} --no-owner --exit-on-error -d bighand{round}
cp -al {filestore} $d/filestore
)",
                fmt::arg("sandbox", sandbox.string()),
                fmt::arg("restore_command",
                         components::pgbackrest::restore_command(stanza, sandbox / "data")),
                fmt::arg("config_dir", stanza.config_file.parent_path().string()),
                fmt::arg("config", stanza.config_file.string()), fmt::arg("stanza", stanza.name),
                fmt::arg("target", when.substr(0, 10) + " " + when.substr(11, 12) + "+00"),
                fmt::arg("pg", pg), fmt::arg("port", sandbox_port),
                fmt::arg("admin", components::postgres::kAdminRole), fmt::arg("conn", conn),
                fmt::arg("round", round), fmt::arg("filestore", filestore)),
            id, hand_env));
    std::error_code ec;
    std::filesystem::remove_all(sandbox, ec);
    app::RestoreRequest pitr;
    pitr.tenant = "big";
    pitr.as = fmt::format("big-pitr-{}", round);
    pitr.at = when;
    const auto start = Clock::now();
    auto recovered = must(platform->restore(pitr, actor), "pitr");
    pitr_ours = std::min(pitr_ours, seconds_since(start));
    reached = recovered.value("recovery_point", "");
  }
  std::printf(
      "PITR of one tenant (RTO, end to end): Ballast %.2f s   by hand %.2f s   ratio %.2fx   "
      "recovery point %s for target %s\n",
      pitr_ours, pitr_ref, pitr_ours / pitr_ref, reached.c_str(), when.c_str());
  std::fflush(stdout);
  platform->stop_runtime();
  return 0;
}
