#include "components/redis/server.h"

#include <fmt/format.h>

#include "core/crypto.h"
#include "core/file.h"

namespace ballast::components::redis {

std::string acl_rules(const AclUser& user) {
  return fmt::format(
      "{} #{} resetkeys ~{}:* resetchannels &{}:* -@all +@all -@dangerous -scan -randomkey "
      "-dbsize -select",
      user.is_enabled ? "on" : "off", core::sha256_hex(user.password.reveal()), user.prefix,
      user.prefix);
}

std::string render_config(const ServerConfig& c) {
  std::string out = "# Written by Ballast from the spec; changes here are overwritten.\n";
  out += "bind 127.0.0.1\nprotected-mode yes\n";
  out += fmt::format("port {}\n", c.port);
  out += fmt::format("dir {}\n", c.dir.string());
  out += fmt::format("pidfile {}\n", c.pid_file.string());
  out += "daemonize no\nlogfile \"\"\n";
  out += fmt::format("aclfile {}\n", c.acl_file.string());
  out += fmt::format("maxmemory {}\n", c.maxmemory.bytes);
  out += fmt::format("maxmemory-policy {}\n", spec::to_string(c.maxmemory_policy));
  out += "appendonly yes\nappendfsync everysec\nsave \"\"\n";
  out += "repl-diskless-sync-delay 0\n";
  return out;
}

std::string render_acl(const core::Secret& admin_password, const std::vector<AclUser>& users) {
  std::string out = "user default off nopass resetkeys -@all\n";
  out += fmt::format("user {} on #{} ~* &* +@all\n", kAdminUser,
                     core::sha256_hex(admin_password.reveal()));
  for (const auto& u : users) out += fmt::format("user {} {}\n", u.name, acl_rules(u));
  return out;
}

core::Status write_config(const ServerConfig& config, const core::Identity& owner) {
  BALLAST_TRY(core::ensure_dir(config.dir, 0700));
  BALLAST_TRY(core::chown_path(config.dir, owner.uid, owner.gid));
  BALLAST_TRY(core::write_file_atomic(config.config_file, render_config(config), 0600));
  return core::chown_path(config.config_file, owner.uid, owner.gid);
}

core::Status write_acl(const ServerConfig& config, const core::Secret& admin_password,
                       const std::vector<AclUser>& users, const core::Identity& owner) {
  BALLAST_TRY(core::write_file_atomic(config.acl_file, render_acl(admin_password, users), 0600));
  return core::chown_path(config.acl_file, owner.uid, owner.gid);
}

core::Command server_command(const ServerConfig& config, const core::Identity& owner,
                             const fs::path& log_file) {
  core::Command command{.argv = {"redis-server", config.config_file.string()},
                        .cwd = config.dir,
                        .stdout_mode = core::Stdio::kFile,
                        .stderr_mode = core::Stdio::kFile,
                        .output_file = log_file};
  if (!owner.is_caller) {
    command.uid = owner.uid;
    command.gid = owner.gid;
  }
  return command;
}

}  // namespace ballast::components::redis
