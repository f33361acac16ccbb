#include "core/file.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/crypto.h"

namespace ballast::core {
namespace {

class Fd final {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

Status write_all(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(errno, "writing", path);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok();
}

}  // namespace

Error errno_error(int error_number, std::string_view what, const fs::path& path) {
  ErrorCode code = ErrorCode::kIo;
  if (error_number == ENOENT) code = ErrorCode::kNotFound;
  if (error_number == ENOSPC || error_number == EDQUOT) code = ErrorCode::kNoSpace;
  if (error_number == EACCES || error_number == EPERM) code = ErrorCode::kPermissionDenied;
  auto error =
      make_error(code, "{} '{}' failed: {}", what, path.string(), std::strerror(error_number));
  if (code == ErrorCode::kNoSpace) {
    error.with_hint(
        "Free space on the filesystem holding it, then retry; nothing partial was kept.");
  }
  return error;
}

Result<std::string> read_file(const fs::path& path, std::size_t max_bytes) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return errno_error(errno, "opening", path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_error(errno, "reading", path);
  if (S_ISDIR(st.st_mode)) {
    return make_error(ErrorCode::kInvalidArgument, "'{}' is a directory, not a file",
                      path.string());
  }
  if (static_cast<std::size_t>(st.st_size) > max_bytes) {
    return make_error(ErrorCode::kPayloadTooLarge, "'{}' is {} bytes, more than the limit of {}",
                      path.string(), st.st_size, max_bytes);
  }
  std::string out;
  std::array<char, 65536> buffer{};
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(errno, "reading", path);
    }
    if (n == 0) break;
    out.append(buffer.data(), static_cast<std::size_t>(n));
    if (out.size() > max_bytes) {
      return make_error(ErrorCode::kPayloadTooLarge, "'{}' is more than the limit of {} bytes",
                        path.string(), max_bytes);
    }
  }
  return out;
}

Status write_file_atomic(const fs::path& path, std::string_view content, mode_t mode) {
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  const fs::path tmp =
      dir / ("." + path.filename().string() + ".tmp." + hex_encode(random_bytes(6)));
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.get() < 0) return errno_error(errno, "creating", tmp);
  auto written = write_all(fd.get(), content, path);
  if (written.has_value() && ::fchmod(fd.get(), mode) != 0) {
    written = errno_error(errno, "setting the mode of", tmp);
  }
  if (written.has_value() && ::fsync(fd.get()) != 0) written = errno_error(errno, "syncing", tmp);
  ::close(fd.release());
  if (written.has_value() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    written = errno_error(errno, "renaming into", path);
  }
  if (!written.has_value()) {
    ::unlink(tmp.c_str());
    return written;
  }
  Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() >= 0) ::fsync(dir_fd.get());
  return ok();
}

Status ensure_dir(const fs::path& path, mode_t mode) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return errno_error(ec.value(), "creating directory", path);
  if (::chmod(path.c_str(), mode) != 0) return errno_error(errno, "setting the mode of", path);
  return ok();
}

Status chown_path(const fs::path& path, uid_t uid, gid_t gid, bool recursive) {
  auto one = [&](const fs::path& p) -> Status {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) return errno_error(errno, "inspecting", p);
    if (st.st_uid == uid && st.st_gid == gid) return ok();
    if (::lchown(p.c_str(), uid, gid) != 0) return errno_error(errno, "changing owner of", p);
    return ok();
  };
  BALLAST_TRY(one(path));
  if (recursive && fs::is_directory(path)) {
    std::error_code ec;
    for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
      BALLAST_TRY(one(entry.path()));
    }
    if (ec) return errno_error(ec.value(), "walking", path);
  }
  return ok();
}

Result<FileLock> FileLock::acquire(const fs::path& path) {
  Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (fd.get() < 0) return errno_error(errno, "opening lock file", path);
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return errno_error(errno, "locking", path);
    auto holder = read_file(path, 64).value_or("");
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    return make_error(ErrorCode::kLocked, "'{}' is locked by process {}", path.string(),
                      holder.empty() ? "unknown" : holder);
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd.get(), 0) == 0) (void)write_all(fd.get(), pid, path);
  return FileLock(fd.release());
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

bool is_locked(const fs::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return false;
  if (::flock(fd.get(), LOCK_SH | LOCK_NB) == 0) return false;
  return errno == EWOULDBLOCK;
}

}  // namespace ballast::core
