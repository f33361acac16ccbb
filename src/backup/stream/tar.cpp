#include "backup/stream/tar.h"

#include <array>
#include <fstream>

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/file.h"

namespace ballast::backup {
namespace fs = std::filesystem;
namespace {

struct WriteContext {
  Sink* sink;
  core::Status status;
};

la_ssize_t on_write(struct archive*, void* user, const void* buffer, size_t length) {
  auto* ctx = static_cast<WriteContext*>(user);
  auto written = ctx->sink->write(std::string_view(static_cast<const char*>(buffer), length));
  if (!written.has_value()) {
    ctx->status = written;
    return -1;
  }
  return static_cast<la_ssize_t>(length);
}

struct ReadContext {
  const std::function<core::Result<std::string>()>* next;
  std::string chunk;
  core::Status status;
};

la_ssize_t on_read(struct archive*, void* user, const void** buffer) {
  auto* ctx = static_cast<ReadContext*>(user);
  auto chunk = (*ctx->next)();
  if (!chunk.has_value()) {
    ctx->status = chunk.error();
    return -1;
  }
  ctx->chunk = std::move(chunk).value();
  *buffer = ctx->chunk.data();
  return static_cast<la_ssize_t>(ctx->chunk.size());
}

core::Error archive_error(struct archive* a, std::string_view what) {
  return core::make_error(
      core::ErrorCode::kCorrupt, "{}: {}", what,
      archive_error_string(a) != nullptr ? archive_error_string(a) : "archive error");
}

bool is_safe(const std::string& path) {
  if (path.empty() || path.front() == '/') return false;
  for (const auto& part : fs::path(path)) {
    if (part == "..") return false;
  }
  return true;
}

}  // namespace

core::Status write_tar(const fs::path& dir, Sink& sink,
                       const std::function<void(std::uint64_t)>& progress) {
  std::unique_ptr<struct archive, int (*)(struct archive*)> a(archive_write_new(),
                                                              archive_write_free);
  archive_write_set_format_pax_restricted(a.get());
  archive_write_set_bytes_in_last_block(a.get(), 1);
  WriteContext ctx{&sink, core::ok()};
  if (archive_write_open(a.get(), &ctx, nullptr, on_write, nullptr) != ARCHIVE_OK) {
    return archive_error(a.get(), "starting the file store archive");
  }
  std::uint64_t total = 0;
  std::error_code ec;
  if (fs::exists(dir)) {
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      const std::string relative = fs::relative(it->path(), dir).string();
      std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(archive_entry_new(),
                                                                     archive_entry_free);
      archive_entry_set_pathname(entry.get(), relative.c_str());
      archive_entry_set_size(entry.get(), static_cast<la_int64_t>(it->file_size()));
      archive_entry_set_filetype(entry.get(), AE_IFREG);
      archive_entry_set_perm(entry.get(), 0600);
      if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK) {
        return ctx.status.has_value()
                   ? core::Status(archive_error(a.get(), "archiving " + relative))
                   : ctx.status;
      }
      std::ifstream in(it->path(), std::ios::binary);
      std::array<char, 65536> buffer{};
      while (in) {
        in.read(buffer.data(), buffer.size());
        const auto n = static_cast<std::size_t>(in.gcount());
        if (n == 0) break;
        if (archive_write_data(a.get(), buffer.data(), n) < 0) {
          return ctx.status.has_value()
                     ? core::Status(archive_error(a.get(), "archiving " + relative))
                     : ctx.status;
        }
        total += n;
        if (progress) progress(total);
      }
    }
  }
  if (ec) return core::errno_error(ec.value(), "walking the file store", dir);
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    return ctx.status.has_value() ? core::Status(archive_error(a.get(), "closing the archive"))
                                  : ctx.status;
  }
  return sink.finish();
}

core::Status extract_tar(const std::function<core::Result<std::string>()>& next_chunk,
                         const fs::path& dir) {
  BALLAST_TRY(core::ensure_dir(dir, 0700));
  std::unique_ptr<struct archive, int (*)(struct archive*)> a(archive_read_new(),
                                                              archive_read_free);
  archive_read_support_format_tar(a.get());
  ReadContext ctx{&next_chunk, "", core::ok()};
  if (archive_read_open(a.get(), &ctx, nullptr, on_read, nullptr) != ARCHIVE_OK) {
    return ctx.status.has_value()
               ? core::Status(archive_error(a.get(), "reading the file store archive"))
               : ctx.status;
  }
  archive_entry* entry = nullptr;
  for (;;) {
    const int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK) {
      return ctx.status.has_value()
                 ? core::Status(archive_error(a.get(), "reading the file store archive"))
                 : ctx.status;
    }
    const std::string path =
        archive_entry_pathname(entry) != nullptr ? archive_entry_pathname(entry) : "";
    if (!is_safe(path) || archive_entry_filetype(entry) != AE_IFREG) {
      return core::make_error(core::ErrorCode::kCorrupt,
                              "the file store archive holds an unsafe entry '{}'", path);
    }
    const fs::path target = dir / path;
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    const int fd =
        ::open(target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return core::errno_error(errno, "restoring", target);
    const int copied = archive_read_data_into_fd(a.get(), fd);
    ::close(fd);
    if (copied != ARCHIVE_OK) {
      return ctx.status.has_value() ? core::Status(archive_error(a.get(), "restoring " + path))
                                    : ctx.status;
    }
  }
  return ctx.status;
}

}  // namespace ballast::backup
