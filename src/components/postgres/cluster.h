// A PostgreSQL 15 cluster Ballast owns: initdb, the configuration it writes (ballast.conf,
// pg_hba.conf), the server command the supervisor runs, and the admin connection.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "components/postgres/connection.h"
#include "core/identity.h"
#include "core/subprocess.h"
#include "spec/units.h"

namespace ballast::components::postgres {

namespace fs = std::filesystem;

inline constexpr const char* kAdminRole = "ballast_admin";
inline constexpr const char* kTemplateDatabase = "ballast_template";

// PostgreSQL's programs: $BALLAST_PG_BINDIR, else Debian's /usr/lib/postgresql/15/bin.
fs::path bin_dir();

// One tenant's access line in pg_hba.conf: its role on its database only.
struct HbaGrant {
  std::string database;
  std::string role;
};

struct ClusterConfig {
  fs::path data_dir;
  fs::path socket_dir;
  std::uint16_t port = 0;
  std::uint32_t max_connections = 100;
  spec::ByteSize shared_buffers{128ULL << 20};
  std::vector<HbaGrant> grants;
  // Settings added by other modules (archiving, replication), written to ballast.conf.
  std::vector<std::pair<std::string, std::string>> settings;
};

[[nodiscard]] bool is_initialised(const fs::path& data_dir);

// initdb with data checksums, SCRAM and UTF-8, as `owner`; the admin password goes through a
// 0600 file, never argv. kConflict when the directory already holds a cluster.
core::Status initdb(const ClusterConfig& config, const core::Secret& admin_password,
                    const core::Identity& owner);

// The contents Ballast writes (pure; tested as text).
std::string render_settings(const ClusterConfig& config);
std::string render_hba(const ClusterConfig& config);

// Writes ballast.conf (included by postgresql.conf) and pg_hba.conf, owned by `owner`.
core::Status write_config(const ClusterConfig& config, const core::Identity& owner);

// `postgres -D <data>` as `owner`, logging to `log_file`.
core::Command server_command(const ClusterConfig& config, const core::Identity& owner,
                             const fs::path& log_file);

// The postmaster's pid from postmaster.pid when that process is alive.
std::optional<pid_t> running_pid(const fs::path& data_dir);

ConnectionParams admin_params(const ClusterConfig& config, const core::Secret& admin_password,
                              std::string database = "postgres");

}  // namespace ballast::components::postgres
