#include "core/identity.h"

#include <array>
#include <mutex>

#include <pwd.h>
#include <unistd.h>

#include "core/subprocess.h"

namespace ballast::core {

Result<Identity> lookup_user(const std::string& name) {
  passwd entry{};
  passwd* found = nullptr;
  std::array<char, 4096> buffer{};
  if (::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr) {
    return make_error(ErrorCode::kNotFound, "user '{}' does not exist", name);
  }
  return Identity{name, entry.pw_uid, entry.pw_gid, entry.pw_uid == ::geteuid()};
}

Result<Identity> component_identity() {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  if (::geteuid() != 0) {
    passwd entry{};
    passwd* found = nullptr;
    std::array<char, 4096> buffer{};
    std::string name = "uid" + std::to_string(::geteuid());
    if (::getpwuid_r(::geteuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found) {
      name = entry.pw_name;
    }
    return Identity{name, ::geteuid(), ::getegid(), true};
  }
  auto existing = lookup_user(kSystemUser);
  if (existing.has_value()) {
    existing->is_caller = false;
    return existing;
  }
  BALLAST_TRY(run_checked({.argv = {"useradd", "--system", "--no-create-home", "--home-dir",
                                    "/nonexistent", "--shell", "/usr/sbin/nologin", kSystemUser}},
                          std::chrono::seconds(30)));
  auto created = lookup_user(kSystemUser);
  if (created.has_value()) created->is_caller = false;
  return created;
}

}  // namespace ballast::core
