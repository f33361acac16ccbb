// The unprivileged identity components run as. PostgreSQL refuses to run as root: when
// Ballast runs as root it uses (and creates) the system user "ballast"; otherwise the caller.
#pragma once

#include <string>

#include <sys/types.h>

#include "core/result.h"

namespace ballast::core {

struct Identity {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  // True when components run as the calling user (no privilege change needed).
  bool is_caller = true;
};

inline constexpr const char* kSystemUser = "ballast";

// Root: the "ballast" system user, created with useradd when missing. Otherwise: the caller.
Result<Identity> component_identity();

// Looks a user up by name; kNotFound when absent.
Result<Identity> lookup_user(const std::string& name);

}  // namespace ballast::core
