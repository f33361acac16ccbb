#include "components/odoo/config.h"

#include <cstdlib>

#include <fmt/format.h>

#include "core/file.h"

namespace ballast::components::odoo {

std::string render(const OdooConfig& c) {
  std::string addons =
      (c.source / "addons").string() + "," + (c.source / "odoo" / "addons").string();
  for (const auto& extra : c.addons_paths) addons += "," + extra.string();
  std::string modules;
  for (const auto& m : c.server_wide_modules) modules += (modules.empty() ? "" : ",") + m;
  const std::uint64_t soft = c.memory_bytes * 3 / 4;
  std::string out = "; Written by Ballast; changes here are overwritten.\n[options]\n";
  out += fmt::format("db_host = {}\ndb_port = {}\ndb_user = {}\ndb_password = {}\n", c.db_host,
                     c.db_port, c.db_user, c.db_password.reveal());
  out += fmt::format("db_name = {}\ndbfilter = ^{}$\nlist_db = False\n", c.db_name, c.db_name);
  out += fmt::format("admin_passwd = {}\nproxy_mode = True\n", c.admin_password.reveal());
  out += fmt::format("http_interface = 127.0.0.1\nhttp_port = {}\ngevent_port = {}\n", c.http_port,
                     c.gevent_port);
  out += fmt::format("workers = {}\nmax_cron_threads = {}\n", c.workers, c.cron_threads);
  out += fmt::format("limit_memory_soft = {}\nlimit_memory_hard = {}\n", soft, c.memory_bytes);
  out += "limit_time_cpu = 600\nlimit_time_real = 1200\nlimit_request = 65536\n";
  out += fmt::format("data_dir = {}\naddons_path = {}\nserver_wide_modules = {}\n",
                     c.data_dir.string(), addons, modules);
  out += "without_demo = all\nlog_level = info\n";
  if (!c.smtp_host.empty()) {
    out += fmt::format("smtp_server = {}\nsmtp_port = {}\n", c.smtp_host, c.smtp_port);
  }
  return out;
}

core::Status write(const OdooConfig& config, const fs::path& file, const core::Identity& owner) {
  BALLAST_TRY(core::write_file_atomic(file, render(config), 0600));
  return core::chown_path(file, owner.uid, owner.gid);
}

fs::path python() {
  const char* env = std::getenv("BALLAST_PYTHON");
  return env != nullptr && *env != '\0' ? fs::path(env) : fs::path("/usr/bin/python3");
}

fs::path odoo_bin(const OdooConfig& config) { return config.source / "odoo-bin"; }

namespace {

core::Command base(const OdooConfig& config, const fs::path& file, const core::Identity& owner) {
  core::Command command{.argv = {python().string(), odoo_bin(config).string()},
                        .env = {{"PYTHONDONTWRITEBYTECODE", "1"}},
                        .cwd = config.data_dir};
  (void)file;
  if (!owner.is_caller) {
    command.uid = owner.uid;
    command.gid = owner.gid;
  }
  return command;
}

}  // namespace

core::Command server_command(const OdooConfig& config, const fs::path& file,
                             const core::Identity& owner, const fs::path& log_file) {
  core::Command command = base(config, file, owner);
  command.argv.insert(command.argv.end(), {"-c", file.string()});
  command.stdout_mode = core::Stdio::kFile;
  command.stderr_mode = core::Stdio::kFile;
  command.output_file = log_file;
  return command;
}

core::Command init_command(const OdooConfig& config, const fs::path& file,
                           const core::Identity& owner, const std::string& flag,
                           const std::vector<std::string>& modules) {
  core::Command command = base(config, file, owner);
  std::string list;
  for (const auto& m : modules) list += (list.empty() ? "" : ",") + m;
  command.argv.insert(command.argv.end(),
                      {"-c", file.string(), "-d", config.db_name, flag, list, "--stop-after-init",
                       "--without-demo=all", "--http-port", std::to_string(config.http_port)});
  return command;
}

core::Command neutralize_command(const OdooConfig& config, const fs::path& file,
                                 const core::Identity& owner) {
  core::Command command = base(config, file, owner);
  command.argv.insert(command.argv.end(),
                      {"neutralize", "-c", file.string(), "-d", config.db_name});
  return command;
}

std::uint16_t websocket_port(const OdooConfig& config) {
  return config.workers > 0 ? config.gevent_port : config.http_port;
}

}  // namespace ballast::components::odoo
