#include "backup/odoo_zip.h"

#include <array>
#include <fstream>
#include <memory>

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/file.h"

namespace ballast::backup {
namespace fs = std::filesystem;
namespace {

using Archive = std::unique_ptr<struct archive, int (*)(struct archive*)>;

core::Error archive_error(struct archive* a, const std::string& what) {
  return core::make_error(
      core::ErrorCode::kCorrupt, "{}: {}", what,
      archive_error_string(a) != nullptr ? archive_error_string(a) : "archive error");
}

core::Status add_file(struct archive* a, const fs::path& source, const std::string& name) {
  std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(archive_entry_new(),
                                                                 archive_entry_free);
  archive_entry_set_pathname(entry.get(), name.c_str());
  archive_entry_set_size(entry.get(), static_cast<la_int64_t>(fs::file_size(source)));
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_perm(entry.get(), 0644);
  if (archive_write_header(a, entry.get()) != ARCHIVE_OK) return archive_error(a, "adding " + name);
  std::ifstream in(source, std::ios::binary);
  std::array<char, 65536> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    const auto n = static_cast<std::size_t>(in.gcount());
    if (n > 0 && archive_write_data(a, buffer.data(), n) < 0)
      return archive_error(a, "writing " + name);
  }
  return core::ok();
}

bool is_safe(const std::string& path) {
  if (path.empty() || path.front() == '/') return false;
  for (const auto& part : fs::path(path)) {
    if (part == "..") return false;
  }
  return true;
}

}  // namespace

core::Status write_odoo_zip(const fs::path& path, const fs::path& dump_sql,
                            const fs::path& filestore, const nlohmann::json& manifest) {
  Archive a(archive_write_new(), archive_write_free);
  archive_write_set_format_zip(a.get());
  const fs::path temp = path.string() + ".partial";
  if (archive_write_open_filename(a.get(), temp.c_str()) != ARCHIVE_OK) {
    return core::errno_error(archive_errno(a.get()), "creating", path);
  }
  BALLAST_TRY(add_file(a.get(), dump_sql, "dump.sql"));
  std::error_code ec;
  if (fs::exists(filestore)) {
    for (auto it = fs::recursive_directory_iterator(filestore, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      BALLAST_TRY(add_file(a.get(), it->path(),
                           "filestore/" + fs::relative(it->path(), filestore).string()));
    }
  }
  const std::string text = manifest.dump(4);
  std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(archive_entry_new(),
                                                                 archive_entry_free);
  archive_entry_set_pathname(entry.get(), "manifest.json");
  archive_entry_set_size(entry.get(), static_cast<la_int64_t>(text.size()));
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_perm(entry.get(), 0644);
  if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK ||
      archive_write_data(a.get(), text.data(), text.size()) < 0) {
    return archive_error(a.get(), "writing manifest.json");
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK)
    return archive_error(a.get(), "closing " + path.string());
  fs::rename(temp, path, ec);
  if (ec) return core::errno_error(ec.value(), "renaming into", path);
  return core::ok();
}

core::Result<OdooZip> read_odoo_zip(const fs::path& path, const fs::path& dir,
                                    std::uint64_t max_bytes) {
  Archive a(archive_read_new(), archive_read_free);
  archive_read_support_format_zip(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return core::make_error(
        core::ErrorCode::kCorrupt, "'{}' is not a zip archive: {}", path.string(),
        archive_error_string(a.get()) != nullptr ? archive_error_string(a.get()) : "");
  }
  BALLAST_TRY(core::ensure_dir(dir, 0700));
  OdooZip out{dir / "dump.sql", dir / "filestore", nlohmann::json::object()};
  std::uint64_t total = 0;
  archive_entry* entry = nullptr;
  for (;;) {
    const int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK) return archive_error(a.get(), "reading " + path.string());
    const std::string name =
        archive_entry_pathname(entry) != nullptr ? archive_entry_pathname(entry) : "";
    if (archive_entry_filetype(entry) == AE_IFDIR) continue;
    if (!is_safe(name) || archive_entry_filetype(entry) != AE_IFREG) {
      return core::make_error(core::ErrorCode::kCorrupt, "'{}' holds an unsafe entry '{}'",
                              path.string(), name);
    }
    total += static_cast<std::uint64_t>(archive_entry_size(entry));
    if (total > max_bytes) {
      return core::make_error(core::ErrorCode::kPayloadTooLarge,
                              "'{}' unpacks to more than {} bytes", path.string(), max_bytes);
    }
    const bool wanted =
        name == "dump.sql" || name == "manifest.json" || name.rfind("filestore/", 0) == 0;
    if (!wanted) continue;
    const fs::path target = dir / name;
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    const int fd =
        ::open(target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return core::errno_error(errno, "extracting", target);
    const int copied = archive_read_data_into_fd(a.get(), fd);
    ::close(fd);
    if (copied != ARCHIVE_OK) return archive_error(a.get(), "extracting " + name);
  }
  if (!fs::exists(out.dump_sql)) {
    return core::make_error(core::ErrorCode::kCorrupt,
                            "'{}' is not an Odoo backup: it has no dump.sql", path.string())
        .with_hint(
            "Export it from Odoo's database manager or Odoo.sh with the file store included.");
  }
  if (fs::exists(dir / "manifest.json")) {
    out.manifest = nlohmann::json::parse(core::read_file(dir / "manifest.json").value_or("{}"),
                                         nullptr, false);
  }
  return out;
}

}  // namespace ballast::backup
