// Platform: moving tenants in and out in Odoo's own backup format.
#include <fmt/format.h>

#include "app/platform.h"
#include "backup/odoo_zip.h"
#include "components/postgres/cluster.h"
#include "core/crypto.h"
#include "core/file.h"
#include "core/text.h"

namespace ballast::app {

namespace pg = components::postgres;
namespace fs = std::filesystem;

namespace {

bool is_safe_file_name(const std::string& name) {
  if (name.empty() || name.size() > 200 || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.' ||
           c == '@';
  });
}

}  // namespace

core::Result<nlohmann::json> Platform::tenant_export(const std::string& tenant,
                                                     const Actor& actor) {
  std::lock_guard lock(changes_);
  BALLAST_TRY(require_runtime());
  auto done = [&]() -> core::Result<nlohmann::json> {
    BALLAST_ASSIGN_OR_RETURN(auto record, catalog_->tenants().get(tenant));
    const auto host = runtime::local::LocalRuntime::host_of(record);
    const fs::path exports = state_dir() / "exports";
    BALLAST_TRY(core::ensure_dir(exports, 0700));
    const fs::path work = exports / (".work-" + core::hex_encode(core::random_bytes(4)));
    BALLAST_TRY(core::ensure_dir(work, 0700));
    struct Cleanup {
      fs::path dir;
      ~Cleanup() {
        std::error_code ec;
        fs::remove_all(dir, ec);
      }
    } cleanup{work};
    BALLAST_ASSIGN_OR_RETURN(const auto port, runtime_->postgres_port(host));
    BALLAST_ASSIGN_OR_RETURN(auto password,
                             catalog_->secrets().get(host.owner(), "postgres_admin_password"));
    core::Command dump{.argv = {(pg::bin_dir() / "pg_dump").string(), "--no-owner",
                                "--no-privileges", "-f", (work / "dump.sql").string(), "-h",
                                runtime_->layout().pg_socket_dir(host).string(), "-p",
                                std::to_string(port), "-U", pg::kAdminRole, tenant},
                       .env = {{"PGPASSWORD", password.reveal()}}};
    BALLAST_TRY(core::run_checked(dump, std::chrono::hours(4)));
    BALLAST_ASSIGN_OR_RETURN(auto db, runtime_->postgres_admin(host, tenant));
    nlohmann::json modules = nlohmann::json::object();
    auto installed = db.query(
        "SELECT name, coalesce(latest_version, '') FROM ir_module_module WHERE state = "
        "'installed'");
    if (installed.has_value()) {
      for (const auto& row : installed->values) modules[row.at(0)] = row.at(1);
    }
    BALLAST_ASSIGN_OR_RETURN(auto version, db.query("SHOW server_version"));
    const std::string series(spec::to_string(spec_.platform.odoo.version));
    const nlohmann::json manifest = {
        {"odoo_dump", "1"},        {"db_name", tenant},
        {"version", series},       {"version_info", {std::stoi(series), 0, 0, "final", 0, ""}},
        {"major_version", series}, {"pg_version", version.at(0, 0)},
        {"modules", modules}};
    const std::string name = fmt::format("{}-{}.zip", tenant, core::unix_seconds(clock_.now()));
    BALLAST_TRY(backup::write_odoo_zip(exports / name, work / "dump.sql",
                                       runtime_->layout().filestore(tenant), manifest));
    return nlohmann::json{{"tenant", tenant},
                          {"file", name},
                          {"path", (exports / name).string()},
                          {"bytes", fs::file_size(exports / name)}};
  }();
  BALLAST_TRY(audit(actor, "tenant.export", "tenant/" + tenant,
                    done.has_value() ? core::ok() : core::Status(done.error())));
  return done;
}

core::Result<nlohmann::json> Platform::tenant_import(const std::string& name,
                                                     const std::string& file,
                                                     const nlohmann::json& placement,
                                                     const Actor& actor) {
  std::lock_guard lock(changes_);
  BALLAST_TRY(require_runtime());
  auto done = [&]() -> core::Result<nlohmann::json> {
    if (!is_safe_file_name(file)) {
      return core::make_error(core::ErrorCode::kInvalidArgument,
                              "'{}' is not a file name in imports/", file);
    }
    const fs::path imports = state_dir() / "imports";
    const fs::path work = imports / (".work-" + core::hex_encode(core::random_bytes(4)));
    struct Cleanup {
      fs::path dir;
      ~Cleanup() {
        std::error_code ec;
        fs::remove_all(dir, ec);
      }
    } cleanup{work};
    BALLAST_ASSIGN_OR_RETURN(auto zip, backup::read_odoo_zip(imports / file, work));
    nlohmann::json request = placement;
    request["name"] = name;
    BALLAST_ASSIGN_OR_RETURN(auto wanted, reconcile::tenant_from_request(spec_, request));
    if (catalog_->tenants().find(name).value_or(std::nullopt)) {
      return core::make_error(core::ErrorCode::kAlreadyExists, "tenant '{}' already exists", name);
    }
    BALLAST_TRY(ops_->ensure(wanted, "api", reconcile::Seed::kEmpty));
    BALLAST_ASSIGN_OR_RETURN(auto record, catalog_->tenants().get(name));
    const auto host = runtime::local::LocalRuntime::host_of(record);
    BALLAST_ASSIGN_OR_RETURN(const auto port, runtime_->postgres_port(host));
    BALLAST_ASSIGN_OR_RETURN(auto password,
                             catalog_->secrets().get("tenant/" + name, "db_password"));
    // Loaded as the tenant's own role, so everything it creates belongs to the tenant.
    core::Command load{
        .argv = {(pg::bin_dir() / "psql").string(), "-q", "-X", "-v", "ON_ERROR_STOP=1",
                 "--single-transaction", "-f", zip.dump_sql.string(), "-h", "127.0.0.1", "-p",
                 std::to_string(port), "-U", name, name},
        .env = {{"PGPASSWORD", password.reveal()}}};
    BALLAST_TRY(core::run_checked(load, std::chrono::hours(4)));
    const auto filestore = runtime_->layout().filestore(name);
    std::error_code ec;
    if (fs::exists(zip.filestore)) {
      fs::remove_all(filestore, ec);
      fs::create_directories(filestore.parent_path(), ec);
      fs::rename(zip.filestore, filestore, ec);
      if (ec) return core::errno_error(ec.value(), "moving the imported file store to", filestore);
    }
    const auto& id = runtime_->identity();
    BALLAST_TRY(core::chown_path(runtime_->layout().tenant_dir(name), id.uid, id.gid, true));
    if (app_->is_configured()) BALLAST_TRY(app_->refresh_identity(record));
    BALLAST_TRY(ops_->set_state(name, catalog::TenantState::kActive));
    fs::remove(imports / file, ec);
    BALLAST_ASSIGN_OR_RETURN(auto after, catalog_->tenants().get(name));
    auto json = tenant_json(after);
    json["source_database"] = zip.manifest.value("db_name", "");
    json["source_version"] = zip.manifest.value("version", "");
    return json;
  }();
  BALLAST_TRY(audit(actor, "tenant.import", "tenant/" + name,
                    done.has_value() ? core::ok() : core::Status(done.error()), {{"file", file}}));
  return done;
}

}  // namespace ballast::app
