#include "backup/tenant_backup.h"

#include <algorithm>
#include <array>
#include <cstdlib>

#include <fmt/format.h>
#include <unistd.h>

#include "backup/stream/sink.h"
#include "backup/stream/tar.h"
#include "components/postgres/cluster.h"
#include "core/crypto.h"
#include "core/file.h"
#include "core/text.h"

namespace ballast::backup {
namespace pg = components::postgres;
using runtime::local::HostRef;

namespace {

constexpr const char* kTables[][2] = {{"timesheets", "account_analytic_line"},
                                      {"invoices", "account_move"},
                                      {"partners", "res_partner"},
                                      {"attachments", "ir_attachment"}};

core::Command admin_tool(runtime::local::LocalRuntime& rt, const HostRef& host,
                         const std::string& tool, std::uint16_t port,
                         const core::Secret& password) {
  return core::Command{
      .argv = {(pg::bin_dir() / tool).string(), "-h", rt.layout().pg_socket_dir(host).string(),
               "-p", std::to_string(port), "-U", pg::kAdminRole},
      .env = {{"PGPASSWORD", password.reveal()}}};
}

}  // namespace

std::string new_backup_id(core::SystemTime now) {
  std::string t = core::format_rfc3339_ms(now);
  std::string compact;
  for (char c : t) {
    if (c != '-' && c != ':') compact += c;
  }
  return compact + "-" + core::hex_encode(core::random_bytes(2));
}

core::Result<nlohmann::json> data_checks(pg::Connection& db) {
  nlohmann::json checks = nlohmann::json::object();
  for (const auto& [label, table] : kTables) {
    BALLAST_ASSIGN_OR_RETURN(auto exists, db.query("SELECT to_regclass($1) IS NOT NULL", {table}));
    if (exists.at(0, 0) != "t") continue;
    BALLAST_ASSIGN_OR_RETURN(
        auto rows, db.query(fmt::format("SELECT count(*), coalesce(md5(string_agg(id::text, ',' "
                                        "ORDER BY id)), '') FROM {}",
                                        db.quote_identifier(table))));
    checks[label] = {
        {"table", table}, {"rows", std::stoll(rows.at(0, 0))}, {"ids_md5", rows.at(0, 1)}};
  }
  return checks;
}

namespace {

std::string key_scope(const std::string& tenant) { return "backup-key/" + tenant; }

std::string key_name(std::uint32_t generation) {
  return generation == 0 ? std::string("key") : "key." + std::to_string(generation);
}

}  // namespace

core::Result<std::uint32_t> TenantBackups::key_generation(const std::string& tenant) {
  BALLAST_ASSIGN_OR_RETURN(auto names, catalog_.secrets().names(key_scope(tenant)));
  std::uint32_t newest = 0;
  for (const auto& name : names) {
    if (name.rfind("key.", 0) != 0) continue;
    const auto n = std::strtoul(name.c_str() + 4, nullptr, 10);
    newest = std::max(newest, static_cast<std::uint32_t>(n));
  }
  return newest;
}

core::Result<core::Secret> TenantBackups::key(const std::string& tenant) {
  BALLAST_ASSIGN_OR_RETURN(const auto generation, key_generation(tenant));
  if (generation > 0) return key(tenant, generation);
  return catalog_.secrets().get_or_create(key_scope(tenant), key_name(0),
                                          [] { return core::SecretBox::generate_key(); });
}

core::Result<core::Secret> TenantBackups::key(const std::string& tenant, std::uint32_t generation) {
  auto found = catalog_.secrets().get(key_scope(tenant), key_name(generation));
  if (!found.has_value() && found.error().code() == core::ErrorCode::kNotFound) {
    return core::make_error(core::ErrorCode::kNotFound,
                            "tenant '{}' has no backup key of generation {}", tenant, generation)
        .with_hint(
            "The catalog that made this backup held it: restore that catalog's secrets, "
            "or use a backup made since.");
  }
  return found;
}

core::Result<std::vector<core::Secret>> TenantBackups::keys(const std::string& tenant) {
  BALLAST_ASSIGN_OR_RETURN(const auto newest, key_generation(tenant));
  std::vector<core::Secret> out;
  for (std::uint32_t g = newest + 1; g-- > 0;) {
    auto k = key(tenant, g);
    if (k.has_value()) out.push_back(std::move(k).value());
  }
  return out;
}

core::Result<std::uint32_t> TenantBackups::rotate_key(const std::string& tenant) {
  BALLAST_TRY(key(tenant));  // generation 0 exists before a newer one does
  BALLAST_ASSIGN_OR_RETURN(const auto newest, key_generation(tenant));
  const std::uint32_t next = newest + 1;
  BALLAST_TRY(
      catalog_.secrets().put(key_scope(tenant), key_name(next), core::SecretBox::generate_key()));
  return next;
}

core::Status TenantBackups::describe(pg::Connection& db, Manifest& m) {
  BALLAST_ASSIGN_OR_RETURN(auto version, db.query("SHOW server_version"));
  m.postgres_version = version.at(0, 0);
  BALLAST_ASSIGN_OR_RETURN(auto modules,
                           db.query("SELECT CASE WHEN to_regclass('ir_module_module') IS NULL "
                                    "THEN '' ELSE 'yes' END"));
  if (modules.at(0, 0) == "yes") {
    BALLAST_ASSIGN_OR_RETURN(auto installed, db.query("SELECT name FROM ir_module_module WHERE "
                                                      "state = 'installed' ORDER BY name"));
    for (const auto& row : installed.values) m.modules.push_back(row.at(0));
    BALLAST_ASSIGN_OR_RETURN(auto base, db.query("SELECT coalesce(max(latest_version), '') FROM "
                                                 "ir_module_module WHERE name = 'base'"));
    m.odoo_version = base.at(0, 0);
  }
  BALLAST_ASSIGN_OR_RETURN(m.checks, data_checks(db));
  return core::ok();
}

core::Result<Part> TenantBackups::dump_database(const catalog::TenantRecord& t,
                                                Repository& repository,
                                                const std::string& object_key,
                                                const core::Secret& tenant_key,
                                                const PutOptions& lock, const std::string& snapshot,
                                                const ProgressFn& progress) {
  const HostRef host = runtime::local::LocalRuntime::host_of(t);
  BALLAST_ASSIGN_OR_RETURN(const auto port, runtime_.postgres_port(host));
  BALLAST_ASSIGN_OR_RETURN(auto password,
                           catalog_.secrets().get(host.owner(), "postgres_admin_password"));
  // pg_dump's output is usually smaller than the database: an estimate, for the progress bar.
  std::uint64_t estimate = 0;
  if (auto admin = runtime_.postgres_admin(host); admin.has_value()) {
    auto size = admin->query("SELECT pg_database_size($1)", {t.name});
    if (size.has_value() && !size->empty()) estimate = std::stoull(size->at(0, 0));
  }
  core::Command dump = admin_tool(runtime_, host, "pg_dump", port, password);
  // zstd compresses, not pg_dump; the snapshot is the one the data checks read.
  dump.argv.insert(dump.argv.end(), {"-Fc", "-Z0", "--snapshot=" + snapshot, t.name});
  const auto log = runtime_.layout().logs() / ("backup-" + t.name + ".log");
  dump.stderr_mode = core::Stdio::kFile;
  dump.output_file = log;
  BALLAST_ASSIGN_OR_RETURN(auto writer, repository.create(object_key, lock));
  ObjectSink stored(std::move(writer));  // counts and hashes what it stores
  Encryptor encrypt(stored, tenant_key);
  ZstdCompressor compress(encrypt, 1, 2);  // level 1: the speed of the backup window first
  MeasuringSink plain(compress);
  BALLAST_ASSIGN_OR_RETURN(auto process, core::Process::start(dump));
  std::array<char, 256 * 1024> buffer{};
  core::Status status = core::ok();
  for (;;) {
    const ssize_t n = ::read(process.stdout_fd(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    status = plain.write(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    if (!status.has_value()) break;
    if (progress) progress({"database", plain.bytes(), estimate, true});
  }
  if (!status.has_value()) {
    process.terminate(std::chrono::seconds(5));
    return std::move(status).error().with_context("backing up the database of '" + t.name + "'");
  }
  const auto exit = process.wait();
  if (!exit.is_success()) {
    return core::make_error(core::ErrorCode::kComponentFailed, "pg_dump of '{}' {}: {}", t.name,
                            exit.describe(), core::trim(core::read_file(log).value_or("")));
  }
  BALLAST_TRY(plain.finish());
  return Part{"database",     object_key,         plain.bytes(),
              plain.sha256(), stored.info().size, stored.info().sha256};
}

core::Result<Part> TenantBackups::dump_filestore(
    const catalog::TenantRecord& t, Repository& repository, const std::string& object_key,
    const core::Secret& tenant_key, const PutOptions& lock, const ProgressFn& progress) {
  BALLAST_ASSIGN_OR_RETURN(auto writer, repository.create(object_key, lock));
  ObjectSink stored(std::move(writer));  // counts and hashes what it stores
  Encryptor encrypt(stored, tenant_key);
  ZstdCompressor compress(encrypt, 1, 2);  // level 1: the speed of the backup window first
  MeasuringSink plain(compress);
  std::uint64_t total = 0;
  std::error_code ec;
  for (auto it =
           std::filesystem::recursive_directory_iterator(runtime_.layout().filestore(t.name), ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  BALLAST_TRY(write_tar(runtime_.layout().filestore(t.name), plain, [&](std::uint64_t bytes) {
    if (progress) progress({"filestore", bytes, total});
  }));
  return Part{"filestore",    object_key,         plain.bytes(),
              plain.sha256(), stored.info().size, stored.info().sha256};
}

}  // namespace ballast::backup
