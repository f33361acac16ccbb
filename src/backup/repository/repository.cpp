#include "backup/repository/repository.h"

#include <array>

#include "core/text.h"

namespace ballast::backup {

core::Status validate_key(std::string_view key) {
  auto bad = [&](std::string_view why) {
    return core::make_error(core::ErrorCode::kInvalidArgument, "object key '{}' is not allowed: {}",
                            key, why);
  };
  if (key.empty() || key.size() > 900) return bad("empty or too long");
  if (key.front() == '/') return bad("it is absolute");
  for (const auto& segment : core::split(key, '/')) {
    if (segment.empty() || segment == "." || segment == "..")
      return bad("empty, '.' or '..' segment");
    for (char c : segment) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-' || c == '@' || c == '+' || c == ':';
      if (!ok) return bad("only letters, digits and . _ - @ + : are allowed");
    }
  }
  if (key.size() >= kMetaSuffix.size() &&
      key.substr(key.size() - kMetaSuffix.size()) == kMetaSuffix) {
    return bad("the suffix is reserved");
  }
  return core::ok();
}

core::Result<ObjectInfo> put(Repository& repository, const std::string& key, std::string_view bytes,
                             const PutOptions& options) {
  BALLAST_ASSIGN_OR_RETURN(auto writer, repository.create(key, options));
  BALLAST_TRY(writer->write(bytes));
  return writer->commit();
}

core::Result<std::string> get(Repository& repository, const std::string& key,
                              std::size_t max_bytes) {
  BALLAST_ASSIGN_OR_RETURN(auto reader, repository.open(key));
  std::string out;
  std::array<char, 65536> buffer{};
  for (;;) {
    BALLAST_ASSIGN_OR_RETURN(const std::size_t n, reader->read(buffer.data(), buffer.size()));
    if (n == 0) break;
    out.append(buffer.data(), n);
    if (out.size() > max_bytes) {
      return core::make_error(core::ErrorCode::kPayloadTooLarge,
                              "object '{}' is larger than {} bytes", key, max_bytes);
    }
  }
  return out;
}

}  // namespace ballast::backup
