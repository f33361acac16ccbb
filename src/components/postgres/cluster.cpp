#include "components/postgres/cluster.h"

#include <csignal>
#include <cstdlib>

#include <fmt/format.h>

#include "core/crypto.h"
#include "core/file.h"
#include "core/text.h"

namespace ballast::components::postgres {
namespace {

// pg_hba.conf needs names with '-' quoted; tenant names are DNS labels, so quoting suffices.
std::string hba_name(const std::string& name) { return "\"" + name + "\""; }

}  // namespace

fs::path bin_dir() {
  const char* env = std::getenv("BALLAST_PG_BINDIR");
  return env != nullptr && *env != '\0' ? fs::path(env) : fs::path("/usr/lib/postgresql/15/bin");
}

bool is_initialised(const fs::path& data_dir) { return fs::exists(data_dir / "PG_VERSION"); }

core::Status initdb(const ClusterConfig& config, const core::Secret& admin_password,
                    const core::Identity& owner) {
  if (is_initialised(config.data_dir)) {
    return core::make_error(core::ErrorCode::kConflict, "'{}' already holds a PostgreSQL cluster",
                            config.data_dir.string())
        .with_hint("Ballast never re-initialises an existing data directory.");
  }
  const fs::path parent = config.data_dir.parent_path();
  BALLAST_TRY(core::ensure_dir(parent, 0700));
  BALLAST_TRY(core::chown_path(parent, owner.uid, owner.gid));
  // initdb into a scratch directory renamed into place when complete: a crash half-way leaves
  // no data directory that looks initialised.
  const fs::path scratch = parent / (config.data_dir.filename().string() + ".initdb");
  std::error_code ec;
  fs::remove_all(scratch, ec);
  const fs::path pwfile = parent / (".initdb-pw-" + core::hex_encode(core::random_bytes(4)));
  BALLAST_TRY(core::write_file_atomic(pwfile, admin_password.reveal() + "\n", 0600));
  BALLAST_TRY(core::chown_path(pwfile, owner.uid, owner.gid));
  core::Command command{
      .argv = {(bin_dir() / "initdb").string(), "-D", scratch.string(), "--data-checksums",
               "--auth=scram-sha-256", "--username=" + std::string(kAdminRole),
               "--pwfile=" + pwfile.string(), "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"},
      .env = {{"LC_ALL", "C.UTF-8"}},
      .cwd = parent};
  if (!owner.is_caller) {
    command.uid = owner.uid;
    command.gid = owner.gid;
  }
  auto done = core::run_checked(command, std::chrono::seconds(120));
  fs::remove(pwfile, ec);
  if (!done.has_value()) {
    return std::move(done).error().with_context("initialising " + config.data_dir.string());
  }
  BALLAST_TRY(core::run_checked({.argv = {"sync"}}, std::chrono::seconds(120)));
  fs::rename(scratch, config.data_dir, ec);
  if (ec) return core::errno_error(ec.value(), "moving the new cluster into", config.data_dir);
  return core::ok();
}

std::string render_settings(const ClusterConfig& config) {
  std::string out = "# Written by Ballast from the spec; changes here are overwritten.\n";
  out += "listen_addresses = '127.0.0.1'\n";
  out += fmt::format("port = {}\n", config.port);
  out += fmt::format("unix_socket_directories = '{}'\n", config.socket_dir.string());
  out += "unix_socket_permissions = 0700\n";
  out += fmt::format("max_connections = {}\n", config.max_connections);
  out += fmt::format("shared_buffers = {}kB\n", config.shared_buffers.bytes / 1024);
  out += "password_encryption = 'scram-sha-256'\n";
  out += "logging_collector = off\n";
  out += "log_line_prefix = '%m [%p] %q%u@%d '\n";
  out += "log_connections = off\n";
  for (const auto& [key, value] : config.settings) out += fmt::format("{} = {}\n", key, value);
  return out;
}

std::string render_hba(const ClusterConfig& config) {
  std::string out =
      "# Written by Ballast; changes here are overwritten.\n"
      "# Each tenant's role may connect to its own database (and the empty maintenance one).\n"
      "# TYPE  DATABASE  USER  ADDRESS  METHOD\n";
  const std::string admin = kAdminRole;
  out += fmt::format("local all {} scram-sha-256\n", admin);
  out += fmt::format("host all {} 127.0.0.1/32 scram-sha-256\n", admin);
  out += fmt::format("local replication {} scram-sha-256\n", admin);
  for (const auto& g : config.grants) {
    // Odoo also opens the maintenance database "postgres" (it holds no tenant data) to check
    // and list databases; every other database stays closed to the role.
    for (const auto& db : {g.database, std::string("postgres")}) {
      out += fmt::format("local {} {} scram-sha-256\n", hba_name(db), hba_name(g.role));
      out += fmt::format("host {} {} 127.0.0.1/32 scram-sha-256\n", hba_name(db), hba_name(g.role));
    }
  }
  return out;
}

core::Status write_config(const ClusterConfig& config, const core::Identity& owner) {
  // postgresql.conf includes ballast.conf; added once, checked every time.
  const fs::path conf = config.data_dir / "postgresql.conf";
  BALLAST_ASSIGN_OR_RETURN(auto text, core::read_file(conf));
  if (text.find("include 'ballast.conf'") == std::string::npos) {
    text +=
        "\n# Ballast's settings (rewritten by Ballast; edit the spec instead)\ninclude "
        "'ballast.conf'\n";
    BALLAST_TRY(core::write_file_atomic(conf, text, 0600));
    BALLAST_TRY(core::chown_path(conf, owner.uid, owner.gid));
  }
  BALLAST_TRY(core::ensure_dir(config.socket_dir, 0700));
  BALLAST_TRY(core::chown_path(config.socket_dir, owner.uid, owner.gid));
  const fs::path settings = config.data_dir / "ballast.conf";
  const fs::path hba = config.data_dir / "pg_hba.conf";
  BALLAST_TRY(core::write_file_atomic(settings, render_settings(config), 0600));
  BALLAST_TRY(core::write_file_atomic(hba, render_hba(config), 0600));
  BALLAST_TRY(core::chown_path(settings, owner.uid, owner.gid));
  return core::chown_path(hba, owner.uid, owner.gid);
}

core::Command server_command(const ClusterConfig& config, const core::Identity& owner,
                             const fs::path& log_file) {
  core::Command command{.argv = {(bin_dir() / "postgres").string(), "-D", config.data_dir.string()},
                        .env = {{"LC_ALL", "C.UTF-8"}},
                        .cwd = config.data_dir,
                        .stdout_mode = core::Stdio::kFile,
                        .stderr_mode = core::Stdio::kFile,
                        .output_file = log_file};
  if (!owner.is_caller) {
    command.uid = owner.uid;
    command.gid = owner.gid;
  }
  return command;
}

std::optional<pid_t> running_pid(const fs::path& data_dir) {
  auto text = core::read_file(data_dir / "postmaster.pid", 4096);
  if (!text.has_value()) return std::nullopt;
  const auto first = core::split(*text, '\n').front();
  const auto pid = static_cast<pid_t>(std::atol(first.c_str()));
  if (!core::process_exists(pid)) return std::nullopt;
  return pid;
}

ConnectionParams admin_params(const ClusterConfig& config, const core::Secret& admin_password,
                              std::string database) {
  return ConnectionParams{config.socket_dir.string(), config.port, kAdminRole, admin_password,
                          std::move(database)};
}

}  // namespace ballast::components::postgres
