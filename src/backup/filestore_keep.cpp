#include "backup/filestore_keep.h"

#include <sys/stat.h>

#include "core/file.h"

namespace ballast::backup {

namespace fs = std::filesystem;

namespace {

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

core::SystemTime change_time(const struct stat& st) {
  return core::SystemTime(std::chrono::duration_cast<core::SystemTime::duration>(
      std::chrono::seconds(st.st_ctim.tv_sec) + std::chrono::nanoseconds(st.st_ctim.tv_nsec)));
}

}  // namespace

bool is_store_name(const std::string& name) {
  if (name.size() < 4 || name.size() > 200 || name[2] != '/') return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (i != 2 && !is_hex(name[i])) return false;
  }
  return true;
}

core::Result<KeepStats> FilestoreKeep::absorb(const std::string& tenant) {
  KeepStats stats;
  const auto live = layout_.filestore(tenant);
  const auto keep = dir(tenant);
  std::error_code ec;
  if (fs::exists(live, ec)) {
    for (auto it = fs::recursive_directory_iterator(live, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      const auto relative = it->path().lexically_relative(live).generic_string();
      if (!is_store_name(relative)) continue;  // Odoo's own temporary files, checksums…
      const auto kept = keep / relative;
      if (fs::exists(kept)) continue;
      BALLAST_TRY(core::ensure_dir(kept.parent_path(), 0700));
      fs::create_hard_link(it->path(), kept, ec);
      if (ec && ec != std::errc::file_exists) {
        return core::errno_error(ec.value(), "keeping the file-store object", kept);
      }
      ec.clear();
      ++stats.added;
    }
    if (ec) return core::errno_error(ec.value(), "reading the file store", live);
  }
  for (auto it = fs::recursive_directory_iterator(keep, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    ++stats.objects;
    if (st.st_nlink == 1) {
      ++stats.deleted;
      stats.bytes_only_in_keep += static_cast<std::uint64_t>(st.st_size);
    }
  }
  return stats;
}

core::Result<std::size_t> FilestoreKeep::expire(const std::string& tenant,
                                                core::SystemTime horizon) {
  std::size_t removed = 0;
  std::error_code ec;
  std::vector<fs::path> doomed;
  for (auto it = fs::recursive_directory_iterator(dir(tenant), ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    // The keep's link is the last one: Odoo deleted the file. Unlinking the other name changed
    // the inode's ctime, so ctime is when that happened.
    if (st.st_nlink == 1 && change_time(st) < horizon) doomed.push_back(it->path());
  }
  for (const auto& path : doomed) {
    if (fs::remove(path, ec)) ++removed;
  }
  return removed;
}

core::Result<Recovered> FilestoreKeep::recover(const std::string& tenant,
                                               const std::vector<std::string>& objects,
                                               const fs::path& into) {
  Recovered result;
  const auto live = layout_.filestore(tenant);
  const auto keep = dir(tenant);
  BALLAST_TRY(core::ensure_dir(into, 0700));
  for (const auto& name : objects) {
    if (!is_store_name(name)) {
      result.missing.push_back(name);
      continue;
    }
    const auto to = into / name;
    std::error_code ec;
    if (fs::exists(to, ec)) continue;
    BALLAST_TRY(core::ensure_dir(to.parent_path(), 0700));
    fs::create_hard_link(live / name, to, ec);
    if (!ec) {
      ++result.from_live;
      continue;
    }
    ec.clear();
    fs::create_hard_link(keep / name, to, ec);
    if (!ec) {
      ++result.from_keep;
      continue;
    }
    result.missing.push_back(name);
  }
  return result;
}

}  // namespace ballast::backup
