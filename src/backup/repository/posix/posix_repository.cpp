#include "backup/repository/posix/posix_repository.h"

#include <cerrno>

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "core/crypto.h"
#include "core/file.h"

namespace ballast::backup {
namespace fs = std::filesystem;
namespace {

fs::path meta_of(const fs::path& object) { return object.string() + std::string(kMetaSuffix); }

nlohmann::json meta_json(const ObjectInfo& info) {
  nlohmann::json meta = {{"size", info.size}, {"sha256", info.sha256}};
  if (info.retain_until) meta["retain_until"] = core::format_rfc3339(*info.retain_until);
  return meta;
}

core::Result<ObjectInfo> read_meta(const fs::path& object, const std::string& key) {
  auto text = core::read_file(meta_of(object), 1 << 16);
  if (!text.has_value()) {
    if (text.error().code() == core::ErrorCode::kNotFound) {
      return core::make_error(core::ErrorCode::kNotFound, "object '{}' does not exist", key);
    }
    return std::move(text).error();
  }
  const auto meta = nlohmann::json::parse(*text, nullptr, false);
  if (!meta.is_object() || !meta.contains("sha256")) {
    return core::make_error(core::ErrorCode::kCorrupt, "the record of object '{}' is damaged", key);
  }
  ObjectInfo info{key, meta.value("size", 0ULL), meta.value("sha256", ""), std::nullopt};
  if (meta.contains("retain_until"))
    info.retain_until = core::parse_rfc3339(meta["retain_until"].get<std::string>());
  return info;
}

class PosixWriter final : public ObjectWriter {
 public:
  PosixWriter(fs::path target, std::string key, PutOptions options, int fd, fs::path temp)
      : target_(std::move(target)),
        key_(std::move(key)),
        options_(options),
        fd_(fd),
        temp_(std::move(temp)) {}
  ~PosixWriter() override {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) {
      std::error_code ec;
      fs::remove(temp_, ec);
    }
  }
  core::Status write(std::string_view bytes) override {
    hash_.update(bytes);
    size_ += bytes.size();
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return core::errno_error(errno, "writing backup object", target_);
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return core::ok();
  }
  core::Result<ObjectInfo> commit() override {
    if (::fsync(fd_) != 0) return core::errno_error(errno, "syncing backup object", target_);
    ::close(fd_);
    fd_ = -1;
    std::error_code ec;
    fs::rename(temp_, target_, ec);
    if (ec) return core::errno_error(ec.value(), "renaming backup object", target_);
    ObjectInfo info{key_, size_, hash_.finish(), options_.retain_until};
    BALLAST_TRY(core::write_file_atomic(meta_of(target_), meta_json(info).dump(), 0600));
    committed_ = true;
    return info;
  }

 private:
  fs::path target_;
  std::string key_;
  PutOptions options_;
  int fd_;
  fs::path temp_;
  core::Sha256 hash_;
  std::uint64_t size_ = 0;
  bool committed_ = false;
};

class PosixReader final : public ObjectReader {
 public:
  PosixReader(int fd, ObjectInfo info) : fd_(fd), info_(std::move(info)) {}
  ~PosixReader() override { ::close(fd_); }
  core::Result<std::size_t> read(char* buffer, std::size_t size) override {
    ssize_t n;
    do {
      n = ::read(fd_, buffer, size);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return core::errno_error(errno, "reading backup object", info_.key);
    if (n == 0) {
      if (hash_.finish() != info_.sha256 || seen_ != info_.size) {
        return core::make_error(core::ErrorCode::kCorrupt,
                                "backup object '{}' is corrupt: its checksum does not match",
                                info_.key)
            .with_hint(
                "Use another backup or a copy from another repository; run "
                "'ballast backup verify' to check the rest.");
      }
      return std::size_t{0};
    }
    hash_.update(std::string_view(buffer, static_cast<std::size_t>(n)));
    seen_ += static_cast<std::uint64_t>(n);
    return static_cast<std::size_t>(n);
  }

 private:
  int fd_;
  ObjectInfo info_;
  core::Sha256 hash_;
  std::uint64_t seen_ = 0;
};

}  // namespace

core::Result<std::unique_ptr<PosixRepository>> PosixRepository::open_root(const fs::path& root) {
  // A new root is private. An existing one keeps its mode: the same directory can hold
  // pgBackRest's repository, whose component user must traverse it (0711, set by the runtime);
  // tightening it on every open raced with pgBackRest, which then failed with EACCES.
  std::error_code ec;
  if (!fs::exists(root, ec)) {
    BALLAST_TRY(core::ensure_dir(root, 0700));
  } else if (!fs::is_directory(root, ec)) {
    return core::make_error(core::ErrorCode::kInvalidArgument,
                            "repository path '{}' exists and is not a directory", root.string());
  }
  return std::unique_ptr<PosixRepository>(
      new PosixRepository(fs::absolute(root).lexically_normal()));
}

core::Result<std::unique_ptr<ObjectWriter>> PosixRepository::create(const std::string& key,
                                                                    const PutOptions& options) {
  BALLAST_TRY(validate_key(key));
  const fs::path target = root_ / key;
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) return core::errno_error(ec.value(), "creating the directory of", target);
  const fs::path temp = target.parent_path() / ("." + target.filename().string() + ".partial-" +
                                                core::hex_encode(core::random_bytes(5)));
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return core::errno_error(errno, "creating backup object", target);
  return std::unique_ptr<ObjectWriter>(new PosixWriter(target, key, options, fd, temp));
}

core::Result<std::unique_ptr<ObjectReader>> PosixRepository::open(const std::string& key) {
  BALLAST_TRY(validate_key(key));
  BALLAST_ASSIGN_OR_RETURN(auto info, read_meta(root_ / key, key));
  const int fd = ::open((root_ / key).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return core::make_error(core::ErrorCode::kCorrupt, "backup object '{}' is missing its data",
                              key);
    }
    return core::errno_error(errno, "opening backup object", root_ / key);
  }
  return std::unique_ptr<ObjectReader>(new PosixReader(fd, std::move(info)));
}

core::Result<ObjectInfo> PosixRepository::stat(const std::string& key) {
  BALLAST_TRY(validate_key(key));
  return read_meta(root_ / key, key);
}

core::Result<std::vector<ObjectInfo>> PosixRepository::list(const std::string& prefix) {
  std::vector<ObjectInfo> out;
  std::error_code ec;
  const std::string suffix(kMetaSuffix);
  for (auto it = fs::recursive_directory_iterator(root_, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    const std::string path = it->path().string();
    if (!it->is_regular_file() || path.size() < suffix.size() ||
        path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    const std::string key =
        fs::relative(path.substr(0, path.size() - suffix.size()), root_).string();
    if (key.rfind(prefix, 0) != 0 || !fs::exists(root_ / key)) continue;
    auto info = read_meta(root_ / key, key);
    if (info.has_value()) out.push_back(std::move(info).value());
  }
  if (ec) return core::errno_error(ec.value(), "listing", root_);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  return out;
}

core::Status PosixRepository::remove(const std::string& key) {
  BALLAST_TRY(validate_key(key));
  auto info = read_meta(root_ / key, key);
  if (info.has_value() && info->retain_until &&
      *info->retain_until > std::chrono::system_clock::now()) {
    return core::make_error(core::ErrorCode::kLocked, "object '{}' is retained until {}", key,
                            core::format_rfc3339(*info->retain_until));
  }
  std::error_code ec;
  fs::remove(meta_of(root_ / key), ec);  // invisible first, then gone
  fs::remove(root_ / key, ec);
  return core::ok();
}

}  // namespace ballast::backup
