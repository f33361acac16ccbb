// TenantOps: copying one tenant's data into another (environments, moves).
#include <array>

#include <unistd.h>

#include "components/postgres/cluster.h"
#include "components/postgres/databases.h"
#include "core/file.h"
#include "core/text.h"
#include "reconcile/tenant_ops.h"

namespace ballast::reconcile {

namespace pg = components::postgres;
namespace fs = std::filesystem;
using runtime::local::HostRef;

namespace {

core::Result<core::Command> tool(runtime::local::LocalRuntime& rt, catalog::Catalog& catalog,
                                 const HostRef& host, const std::string& program) {
  BALLAST_ASSIGN_OR_RETURN(const auto port, rt.postgres_port(host));
  BALLAST_ASSIGN_OR_RETURN(auto password,
                           catalog.secrets().get(host.owner(), "postgres_admin_password"));
  return core::Command{
      .argv = {(pg::bin_dir() / program).string(), "-h", rt.layout().pg_socket_dir(host).string(),
               "-p", std::to_string(port), "-U", pg::kAdminRole},
      .env = {{"PGPASSWORD", password.reveal()}}};
}

}  // namespace

core::Status TenantOps::copy_data(const catalog::TenantRecord& source,
                                  const catalog::TenantRecord& target) {
  const auto host = runtime::local::LocalRuntime::host_of(source);
  BALLAST_ASSIGN_OR_RETURN(const auto port, runtime_.postgres_port(host));
  BALLAST_ASSIGN_OR_RETURN(auto password,
                           catalog_.secrets().get(host.owner(), "postgres_admin_password"));
  BALLAST_TRY(copy_database(
      {runtime_.layout().pg_socket_dir(host), port, std::move(password), source.name}, target));
  const auto from = runtime_.layout().filestore(source.name);
  const auto to = runtime_.layout().filestore(target.name);
  BALLAST_TRY(core::ensure_dir(to, 0700));
  std::error_code ec;
  if (fs::exists(from)) {
    // Content-addressed files never change in place: hard links copy them for free.
    fs::copy(from, to,
             fs::copy_options::recursive | fs::copy_options::create_hard_links |
                 fs::copy_options::skip_existing,
             ec);
    if (ec) return core::errno_error(ec.value(), "copying the file store into", to);
  }
  const auto& id = runtime_.identity();
  return core::chown_path(runtime_.layout().tenant_dir(target.name), id.uid, id.gid, true);
}

core::Status TenantOps::copy_database(const DataSource& source,
                                      const catalog::TenantRecord& target) {
  core::Command dump{
      .argv = {(pg::bin_dir() / "pg_dump").string(), "-h", source.socket_dir.string(), "-p",
               std::to_string(source.port), "-U", pg::kAdminRole, "-Fc", "-Z0", source.database},
      .env = {{"PGPASSWORD", source.password.reveal()}}};
  const auto dump_log = runtime_.layout().logs() / ("copy-" + target.name + "-dump.log");
  dump.stderr_mode = core::Stdio::kFile;
  dump.output_file = dump_log;
  BALLAST_ASSIGN_OR_RETURN(
      auto restore,
      tool(runtime_, catalog_, runtime::local::LocalRuntime::host_of(target), "pg_restore"));
  restore.argv.insert(restore.argv.end(), {"--no-owner", "--role=" + target.name, "--exit-on-error",
                                           "-d", target.name});
  const auto restore_log = runtime_.layout().logs() / ("copy-" + target.name + "-restore.log");
  restore.stdin_mode = core::Stdio::kPipe;
  restore.stdout_mode = core::Stdio::kNull;
  restore.stderr_mode = core::Stdio::kFile;
  restore.output_file = restore_log;
  BALLAST_ASSIGN_OR_RETURN(auto reader, core::Process::start(dump));
  BALLAST_ASSIGN_OR_RETURN(auto writer, core::Process::start(restore));
  std::array<char, 256 * 1024> buffer{};
  bool broken = false;
  for (;;) {
    const ssize_t n = ::read(reader.stdout_fd(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::string_view chunk(buffer.data(), static_cast<std::size_t>(n));
    while (!chunk.empty() && !broken) {
      const ssize_t w = ::write(writer.stdin_fd(), chunk.data(), chunk.size());
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) broken = true;
      if (w > 0) chunk.remove_prefix(static_cast<std::size_t>(w));
    }
    if (broken) break;
  }
  writer.close_stdin();
  const auto dumped = broken ? reader.terminate(std::chrono::seconds(5)) : reader.wait();
  const auto restored = writer.wait();
  if (!dumped.is_success()) {
    return core::make_error(core::ErrorCode::kComponentFailed, "pg_dump of '{}' {}: {}",
                            source.database, dumped.describe(),
                            core::trim(core::read_file(dump_log).value_or("")));
  }
  if (!restored.is_success()) {
    return core::make_error(core::ErrorCode::kComponentFailed, "pg_restore into '{}' {}: {}",
                            target.name, restored.describe(),
                            core::trim(core::read_file(restore_log).value_or("")));
  }
  return core::ok();
}

}  // namespace ballast::reconcile

namespace ballast::reconcile {

core::Result<Outcome> TenantOps::create_environment(const std::string& tenant,
                                                    const std::string& name,
                                                    spec::EnvironmentKind kind,
                                                    const std::vector<std::string>& domains) {
  const std::string copy = tenant + "-" + name;
  BALLAST_ASSIGN_OR_RETURN(auto source, catalog_.tenants().get(tenant));
  if (!source.is_production()) {
    return core::make_error(core::ErrorCode::kInvalidArgument,
                            "'{}' is itself a copy; copy production", tenant);
  }
  BALLAST_ASSIGN_OR_RETURN(auto existing, catalog_.tenants().find(copy));
  if (existing && existing->state != catalog::TenantState::kProvisioning) {
    return core::make_error(core::ErrorCode::kAlreadyExists, "environment '{}' already exists",
                            copy)
        .with_hint("Delete it first to make a fresh copy: 'ballast tenant delete " + copy +
                   " --confirm " + copy + "'.");
  }
  nlohmann::json request = {
      {"name", copy}, {"plan", source.plan}, {"tier", spec::to_string(source.tier)}};
  if (source.tier == spec::Tier::kShared) request["pool"] = source.pool;
  if (source.tier == spec::Tier::kDedicated) request["stack"] = source.stack;
  if (!domains.empty()) request["domains"] = domains;
  // Checked against the spec without the environment that declares this copy, if one does:
  // the copy takes its place (its name and domains), it does not clash with it.
  spec::Spec others = spec_;
  for (auto& t : others.tenants) {
    std::erase_if(t.environments,
                  [&](const spec::Environment& e) { return t.name + "-" + e.name == copy; });
  }
  // A dedicated tenant's copy lives on its stack: the customer's data stays on the customer's
  // own PostgreSQL and Redis. A stack holds one spec tenant; its copies are not spec tenants.
  if (source.tier == spec::Tier::kDedicated) {
    std::erase_if(others.tenants, [&](const spec::Tenant& t) { return t.name == tenant; });
  }
  BALLAST_ASSIGN_OR_RETURN(auto wanted, tenant_from_request(others, request));
  BALLAST_TRY(ensure(wanted, "api", Seed::kEmpty));
  BALLAST_ASSIGN_OR_RETURN(auto record, catalog_.tenants().get(copy));
  record.parent = tenant;
  record.environment = std::string(spec::to_string(kind));
  BALLAST_TRY(catalog_.tenants().save(record));
  if (existing) {  // a copy that failed half-way: start from an empty database again
    BALLAST_ASSIGN_OR_RETURN(
        auto admin, runtime_.postgres_admin(runtime::local::LocalRuntime::host_of(record)));
    BALLAST_TRY(pg::drop_database(admin, copy));
    BALLAST_TRY(provision_database(record, *spec_.find_plan(record.plan), Seed::kEmpty));
  }
  BALLAST_TRY(copy_data(source, record));
  if (has_app()) {
    BALLAST_TRY(app_->refresh_identity(record));
    BALLAST_TRY(app_->neutralize(record));  // refuses to go on when something stays active
  }
  BALLAST_TRY(set_state(copy, catalog::TenantState::kActive));
  return Outcome::kCreated;
}

}  // namespace ballast::reconcile
