// Where everything of the embedded platform lives inside the state directory
// (docs/formats/state-dir.md), and the names of components.
#pragma once

#include <filesystem>
#include <string>

namespace ballast::runtime::local {

namespace fs = std::filesystem;

// A database host: a pool's or a dedicated stack's PostgreSQL and Redis.
struct HostRef {
  enum class Kind { kPool, kStack };
  Kind kind = Kind::kPool;
  std::string name;
  [[nodiscard]] std::string owner() const {  // "pool/main"
    return (kind == Kind::kPool ? "pool/" : "stack/") + name;
  }
  [[nodiscard]] std::string slug() const {  // "pool-main", for paths
    return (kind == Kind::kPool ? "pool-" : "stack-") + name;
  }
};

struct Layout {
  fs::path root;  // the state directory

  [[nodiscard]] fs::path data() const { return root / "data"; }
  [[nodiscard]] fs::path run() const { return root / "run"; }
  [[nodiscard]] fs::path logs() const { return root / "logs"; }
  [[nodiscard]] fs::path trash() const { return root / "trash"; }
  [[nodiscard]] fs::path host_dir(const HostRef& h) const { return data() / h.slug(); }
  [[nodiscard]] fs::path pg_data(const HostRef& h) const { return host_dir(h) / "postgres"; }
  [[nodiscard]] fs::path pg_socket_dir(const HostRef& h) const { return run() / h.slug(); }
  [[nodiscard]] fs::path redis_dir(const HostRef& h) const { return host_dir(h) / "redis"; }
  [[nodiscard]] fs::path proxy_dir() const { return data() / "proxy"; }
  [[nodiscard]] fs::path proxy_run() const { return run() / "proxy"; }
  [[nodiscard]] fs::path proxy_socket() const { return proxy_run() / "haproxy.sock"; }
  [[nodiscard]] fs::path tenant_dir(const std::string& tenant) const {
    return data() / "tenants" / tenant;
  }
  // Odoo's data_dir: filestore/<db>/ and sessions/.
  [[nodiscard]] fs::path odoo_data(const std::string& tenant) const {
    return tenant_dir(tenant) / "odoo";
  }
  [[nodiscard]] fs::path filestore(const std::string& tenant) const {
    return odoo_data(tenant) / "filestore" / tenant;
  }
  [[nodiscard]] fs::path templates_dir(const HostRef& h) const {
    return host_dir(h) / "odoo-templates";
  }
  [[nodiscard]] fs::path log_of(const std::string& component) const;  // "pool/main/postgres"
};

// Component names as recorded in the catalog.
std::string postgres_name(const HostRef& host);
std::string redis_name(const HostRef& host);
inline constexpr const char* kProxyName = "platform/haproxy";

}  // namespace ballast::runtime::local
