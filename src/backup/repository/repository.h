// Where backups are stored. One interface, drivers of identical shape (posix, s3), one
// conformance suite (tests/integration/repository_conformance_test.cpp) that every driver passes.
//
// Contract, for every driver:
//  * An object becomes visible (stat, open, list) only once its writer committed; a writer
//    destroyed or aborted before commit leaves nothing visible.
//  * Every object's SHA-256 is recorded at commit; reading it back verifies it and ends with
//    kCorrupt when the bytes differ.
//  * Missing objects are kNotFound; an unreachable store is kUnavailable; a full disk kNoSpace;
//    removing an object still under retention (object lock) is kLocked.
//  * Keys are relative paths of [A-Za-z0-9._-] segments separated by '/'; anything else (an
//    absolute path, "..", an empty segment) is kInvalidArgument.
//  * Thread-safety: a Repository may be shared by threads; a writer or reader is used by one.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace ballast::backup {

struct ObjectInfo {
  std::string key;
  std::uint64_t size = 0;
  std::string sha256;
  std::optional<core::SystemTime> retain_until;
};

struct PutOptions {
  std::optional<core::SystemTime> retain_until;  // object lock: no deletion before this
  bool compliance = false;                       // lock mode (governance otherwise)
};

struct Features {
  bool object_lock = false;  // enforced by the store itself
  bool multipart = false;
};

class ObjectWriter {
 public:
  virtual ~ObjectWriter() = default;
  virtual core::Status write(std::string_view bytes) = 0;
  // Makes the object visible with its checksum. After a failure nothing is visible.
  virtual core::Result<ObjectInfo> commit() = 0;
};

class ObjectReader {
 public:
  virtual ~ObjectReader() = default;
  // Up to `size` bytes into `buffer`; 0 at the end. At the end the checksum is verified:
  // kCorrupt names the object when it does not match.
  virtual core::Result<std::size_t> read(char* buffer, std::size_t size) = 0;
};

class Repository {
 public:
  virtual ~Repository() = default;
  [[nodiscard]] virtual Features features() const = 0;
  // "posix:/srv/backups", "s3://bucket/prefix at https://endpoint".
  [[nodiscard]] virtual std::string describe() const = 0;
  virtual core::Result<std::unique_ptr<ObjectWriter>> create(const std::string& key,
                                                             const PutOptions& options = {}) = 0;
  virtual core::Result<std::unique_ptr<ObjectReader>> open(const std::string& key) = 0;
  virtual core::Result<ObjectInfo> stat(const std::string& key) = 0;
  // Committed objects under `prefix`, sorted by key.
  virtual core::Result<std::vector<ObjectInfo>> list(const std::string& prefix) = 0;
  virtual core::Status remove(const std::string& key) = 0;
};

// kInvalidArgument unless `key` is a safe relative object key.
core::Status validate_key(std::string_view key);

// Whole-object helpers for small objects (manifests, tests).
core::Result<ObjectInfo> put(Repository& repository, const std::string& key, std::string_view bytes,
                             const PutOptions& options = {});
core::Result<std::string> get(Repository& repository, const std::string& key,
                              std::size_t max_bytes = 64UL << 20);

// The sidecar that records an object's checksum; written after the object itself.
inline constexpr std::string_view kMetaSuffix = ".ballast-meta";

}  // namespace ballast::backup
