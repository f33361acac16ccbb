// Odoo's configuration for one tenant (or a template build, or a drill sandbox): the keys
// Ballast owns, rendered as Odoo's INI file, and the command lines that run odoo-bin.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/identity.h"
#include "core/secret.h"
#include "core/subprocess.h"

namespace ballast::components::odoo {

namespace fs = std::filesystem;

struct OdooConfig {
  fs::path source;                     // the tree holding odoo-bin
  std::vector<fs::path> addons_paths;  // extra, after the source's own
  std::string db_host;                 // PostgreSQL socket directory or address
  std::uint16_t db_port = 5432;
  std::string db_user;
  core::Secret db_password;
  std::string db_name;
  core::Secret admin_password;  // Odoo's master password (admin_passwd)
  std::uint16_t http_port = 0;
  std::uint16_t gevent_port = 0;
  std::uint32_t workers = 0;  // 0: threaded, websocket in-process
  std::uint32_t cron_threads = 1;
  std::uint64_t memory_bytes = 2ULL << 30;
  fs::path data_dir;      // filestore/<db> and sessions/
  std::string smtp_host;  // empty: Odoo's default
  std::uint16_t smtp_port = 0;
  std::vector<std::string> server_wide_modules = {"base", "web"};
};

// The INI text (0600: it holds the database password).
std::string render(const OdooConfig& config);
core::Status write(const OdooConfig& config, const fs::path& file, const core::Identity& owner);

// odoo-bin's interpreter: Debian's python3 (the pyenv one on PATH lacks Odoo's packages).
fs::path python();
fs::path odoo_bin(const OdooConfig& config);

// `odoo-bin -c FILE` (the server) as `owner`.
core::Command server_command(const OdooConfig& config, const fs::path& file,
                             const core::Identity& owner, const fs::path& log_file);
// `odoo-bin -c FILE -d DB -i|-u MODULES --stop-after-init [--without-demo=all]`.
core::Command init_command(const OdooConfig& config, const fs::path& file,
                           const core::Identity& owner, const std::string& flag,
                           const std::vector<std::string>& modules);
// `odoo-bin neutralize -c FILE -d DB`.
core::Command neutralize_command(const OdooConfig& config, const fs::path& file,
                                 const core::Identity& owner);

// The address HAProxy sends /websocket to: the gevent port in prefork mode.
[[nodiscard]] std::uint16_t websocket_port(const OdooConfig& config);

}  // namespace ballast::components::odoo
