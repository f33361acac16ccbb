#include "backup/filestore_keep.h"

#include <fstream>
#include <set>

#include <sys/stat.h>

#include "backup/stream/sink.h"
#include "core/file.h"
#include "core/text.h"

namespace ballast::backup {

core::Result<std::vector<std::string>> referenced_objects(components::postgres::Connection& db) {
  BALLAST_ASSIGN_OR_RETURN(auto exists,
                           db.query("SELECT to_regclass('ir_attachment') IS NOT NULL"));
  if (exists.at(0, 0) != "t") return std::vector<std::string>{};
  BALLAST_ASSIGN_OR_RETURN(auto rows,
                           db.query("SELECT DISTINCT store_fname FROM ir_attachment "
                                    "WHERE store_fname IS NOT NULL AND store_fname <> ''"));
  std::vector<std::string> names;
  for (const auto& row : rows.values) names.push_back(row.at(0));
  return names;
}

namespace fs = std::filesystem;

namespace {

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

core::SystemTime change_time(const struct stat& st) {
  return core::SystemTime(std::chrono::duration_cast<core::SystemTime::duration>(
      std::chrono::seconds(st.st_ctim.tv_sec) + std::chrono::nanoseconds(st.st_ctim.tv_nsec)));
}

// Downloads and opens `key` into `to`, with the key in force or, for an object uploaded before
// a key rotation, an older one.
bool fetch(const OffHost& off, const std::string& key, const fs::path& to) {
  std::vector<const core::Secret*> keys = {&off.key};
  for (const auto& older : off.older_keys) keys.push_back(&older);
  for (const auto* k : keys) {
    auto reader = off.repository.open(key);
    if (!reader.has_value()) return false;
    StringSink plain;
    Decryptor decrypt(plain, *k, key);
    if (!copy(**reader, decrypt).has_value()) continue;
    return core::write_file_atomic(to, plain.data(), 0600).has_value();
  }
  return false;
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

std::string FilestoreKeep::object_key(const std::string& tenant, const std::string& name) {
  return "filestore/" + tenant + "/" + name;
}

namespace {

std::set<std::string> read_index(const fs::path& path) {
  std::set<std::string> names;
  for (const auto& line : core::split(core::read_file(path).value_or(""), '\n')) {
    if (!line.empty()) names.insert(std::string(line));
  }
  return names;
}

}  // namespace

core::Result<std::size_t> FilestoreKeep::upload(const std::string& tenant, const OffHost& off) {
  auto uploaded = read_index(index(tenant));
  std::size_t count = 0;
  std::error_code ec;
  std::ofstream log(index(tenant), std::ios::app);
  for (auto it = fs::recursive_directory_iterator(dir(tenant), ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const auto name = it->path().lexically_relative(dir(tenant)).generic_string();
    if (!is_store_name(name) || uploaded.count(name) != 0U) continue;
    BALLAST_ASSIGN_OR_RETURN(auto content, core::read_file(it->path()));
    BALLAST_ASSIGN_OR_RETURN(auto writer,
                             off.repository.create(object_key(tenant, name), off.lock));
    ObjectSink stored(std::move(writer));
    Encryptor encrypt(stored, off.key);
    BALLAST_TRY(encrypt.write(content));
    BALLAST_TRY(encrypt.finish());
    log << name << '\n';
    log.flush();
    ++count;
  }
  return count;
}

core::Result<std::size_t> FilestoreKeep::expire(const std::string& tenant, core::SystemTime horizon,
                                                const OffHost* off) {
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
  std::set<std::string> gone;
  for (const auto& path : doomed) {
    const auto name = path.lexically_relative(dir(tenant)).generic_string();
    if (off != nullptr) {
      auto deleted = off->repository.remove(object_key(tenant, name));
      if (!deleted.has_value() && deleted.error().code() != core::ErrorCode::kNotFound)
        continue;  // locked or unreachable: keep both, try again next time
    }
    if (fs::remove(path, ec)) {
      ++removed;
      gone.insert(name);
    }
  }
  if (!gone.empty() && fs::exists(index(tenant))) {
    std::string kept;
    for (const auto& name : read_index(index(tenant))) {
      if (gone.count(name) == 0U) kept += name + "\n";
    }
    BALLAST_TRY(core::write_file_atomic(index(tenant), kept, 0600));
  }
  return removed;
}

core::Result<Recovered> FilestoreKeep::recover(const std::string& tenant,
                                               const std::vector<std::string>& objects,
                                               const fs::path& into, const OffHost* off) {
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
    if (off != nullptr && fetch(*off, object_key(tenant, name), to)) {
      ++result.from_repository;
      continue;
    }
    result.missing.push_back(name);
  }
  return result;
}

}  // namespace ballast::backup
