// A Redis 7 server Ballast owns: its config file, the ACL file that isolates tenants by key
// prefix, and the server command the supervisor runs.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/identity.h"
#include "core/secret.h"
#include "core/subprocess.h"
#include "spec/model.h"

namespace ballast::components::redis {

namespace fs = std::filesystem;

inline constexpr const char* kAdminUser = "ballast-admin";

// One tenant's Redis user: keys and channels under "<prefix>:" only.
struct AclUser {
  std::string name;
  std::string prefix;
  core::Secret password;
  bool is_enabled = true;
};

struct ServerConfig {
  fs::path dir;  // data (AOF) directory
  fs::path config_file;
  fs::path acl_file;
  fs::path pid_file;
  std::uint16_t port = 0;
  spec::ByteSize maxmemory{256ULL << 20};
  spec::EvictionPolicy maxmemory_policy = spec::EvictionPolicy::kAllKeysLru;
};

// The rules of a tenant user (tested as text): its prefix only, no dangerous or
// keyspace-revealing commands (SCAN, RANDOMKEY, DBSIZE leak other tenants' keys; SELECT
// escapes the database).
std::string acl_rules(const AclUser& user);
std::string render_config(const ServerConfig& config);
// The default user is off; the admin and tenant users use SHA-256 password hashes only.
std::string render_acl(const core::Secret& admin_password, const std::vector<AclUser>& users);

core::Status write_config(const ServerConfig& config, const core::Identity& owner);
core::Status write_acl(const ServerConfig& config, const core::Secret& admin_password,
                       const std::vector<AclUser>& users, const core::Identity& owner);

core::Command server_command(const ServerConfig& config, const core::Identity& owner,
                             const fs::path& log_file);

}  // namespace ballast::components::redis
