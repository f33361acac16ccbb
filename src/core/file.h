// File utilities: bounded reads, atomic writes with modes, directories and lock files.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include <sys/types.h>

#include "core/result.h"

namespace ballast::core {

namespace fs = std::filesystem;

inline constexpr std::size_t kDefaultReadLimit = 64UL * 1024 * 1024;

// An Error for a failed system call, naming the path: kNotFound for ENOENT, kNoSpace for
// ENOSPC/EDQUOT, kPermissionDenied for EACCES/EPERM, kIo otherwise.
Error errno_error(int error_number, std::string_view what, const fs::path& path);

// Reads a whole file; kPayloadTooLarge beyond `max_bytes`.
Result<std::string> read_file(const fs::path& path, std::size_t max_bytes = kDefaultReadLimit);

// Writes `content` to a temporary file beside `path`, fsyncs it, sets `mode`, renames it over
// `path` and fsyncs the directory: readers see the old or the new file, never a mix.
Status write_file_atomic(const fs::path& path, std::string_view content, mode_t mode = 0644);

// Creates `path` and missing parents; sets `mode` on the last component.
Status ensure_dir(const fs::path& path, mode_t mode = 0755);

// Changes owner of `path` (recursively when asked). No-op when uid/gid already match.
Status chown_path(const fs::path& path, uid_t uid, gid_t gid, bool recursive = false);

// An exclusive advisory lock (flock) held as long as the object lives. Also records the
// holder's pid in the file, for messages.
class FileLock final {
 public:
  // kLocked when another process holds it; the message names the holder's pid.
  static Result<FileLock> acquire(const fs::path& path);
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// True when a lock file exists and some process holds its lock.
bool is_locked(const fs::path& path);

}  // namespace ballast::core
