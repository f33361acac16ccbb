// A hiredis connection (RAII) authenticated as a Redis ACL user.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <hiredis/hiredis.h>

#include "core/result.h"
#include "core/secret.h"

namespace ballast::components::redis {

// A reply flattened to text: status/string/integer as one value, arrays as several.
struct Reply {
  bool is_error = false;
  bool is_nil = false;
  std::vector<std::string> values;
  [[nodiscard]] const std::string& text() const;
};

// The answer to INFO: "field:value" lines of every section.
struct Info {
  std::map<std::string, std::string> fields;
  // A numeric field (used_memory, evicted_keys…); nullopt when absent or not a number.
  [[nodiscard]] std::optional<double> number(const std::string& field) const;
};
Info parse_info(const std::string& text);

class Client final {
 public:
  // kUnavailable when unreachable; kUnauthenticated when AUTH fails.
  static core::Result<Client> connect(const std::string& host, std::uint16_t port,
                                      const std::string& user, const core::Secret& password);
  // A Redis error reply is a value (is_error), not an Error: callers test what they expect.
  core::Result<Reply> command(const std::vector<std::string>& argv);
  core::Status ping();
  // INFO, parsed; kComponentFailed when Redis refuses it.
  core::Result<Info> info();
  // ACL LOAD: re-reads the ACL file without a restart.
  core::Status acl_load();

 private:
  struct Closer {
    void operator()(redisContext* c) const { redisFree(c); }
  };
  explicit Client(redisContext* context) : context_(context) {}
  std::unique_ptr<redisContext, Closer> context_;
};

}  // namespace ballast::components::redis
