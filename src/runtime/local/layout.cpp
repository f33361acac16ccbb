#include "runtime/local/layout.h"

#include <algorithm>

namespace ballast::runtime::local {

fs::path Layout::log_of(const std::string& component) const {
  std::string file = component;
  std::replace(file.begin(), file.end(), '/', '-');
  return logs() / (file + ".log");
}

std::string postgres_name(const HostRef& host) { return host.owner() + "/postgres"; }
std::string redis_name(const HostRef& host) { return host.owner() + "/redis"; }

}  // namespace ballast::runtime::local
