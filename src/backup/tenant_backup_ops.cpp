// TenantBackups: create (with its catalog record), list, manifest, verify and restore.
#include <array>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <unistd.h>

#include "backup/stream/sink.h"
#include "backup/stream/tar.h"
#include "backup/tenant_backup.h"
#include "components/postgres/cluster.h"
#include "core/file.h"
#include "core/text.h"

namespace ballast::backup {
namespace pg = components::postgres;
using runtime::local::HostRef;

namespace {

constexpr std::string_view kManifest = "manifest";

// Feeds a Process's stdin; Sink for the end of the restore pipeline.
class ProcessSink final : public Sink {
 public:
  explicit ProcessSink(core::Process& process) : process_(process) {}
  core::Status write(std::string_view bytes) override {
    while (!bytes.empty()) {
      const ssize_t n = ::write(process_.stdin_fd(), bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0)
        return core::make_error(core::ErrorCode::kComponentFailed, "pg_restore stopped reading");
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return core::ok();
  }
  core::Status finish() override {
    process_.close_stdin();
    return core::ok();
  }

 private:
  core::Process& process_;
};

// The database and the file store are written side by side; their progress is reported as
// one bar, `phase` (bytes of both against the total of both).
class JointProgress {
 public:
  JointProgress(const ProgressFn& out, std::string phase) : out_(out), phase_(std::move(phase)) {}
  ProgressFn part(std::size_t index) {
    if (!out_) return nullptr;
    return [this, index](const Progress& p) {
      std::lock_guard lock(mutex_);
      bytes_.at(index) = p.bytes;
      totals_.at(index) = p.total;
      estimated_ = estimated_ || p.estimated;
      out_({phase_, bytes_[0] + bytes_[1], totals_[0] + totals_[1], estimated_});
    };
  }

 private:
  const ProgressFn& out_;
  std::string phase_;
  std::mutex mutex_;
  std::array<std::uint64_t, 2> bytes_{};
  std::array<std::uint64_t, 2> totals_{};
  bool estimated_ = false;
};

}  // namespace

core::Result<Manifest> TenantBackups::create(const catalog::TenantRecord& t, Repository& repository,
                                             const std::string& repository_name,
                                             const std::string& reason,
                                             const ProgressFn& progress) {
  const auto& clock = runtime_.clock();
  Manifest m;
  m.tenant = t.name;
  m.repository = repository_name;
  m.reason = reason;
  m.started_at = clock.now();
  m.id = new_backup_id(m.started_at);
  catalog::BackupRecord record{m.id, "tenant/" + t.name, "tenant", repository_name};
  record.started_at = m.started_at;
  BALLAST_TRY(catalog_.backups().save(record));
  auto run = [&]() -> core::Status {
    const HostRef host = runtime::local::LocalRuntime::host_of(t);
    // One snapshot for pg_dump and the data checks: the checks describe exactly the rows the
    // dump holds, and they are computed while the dump runs instead of before it.
    BALLAST_ASSIGN_OR_RETURN(auto snapshot_db, runtime_.postgres_admin(host, t.name));
    BALLAST_TRY(snapshot_db.exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
    BALLAST_ASSIGN_OR_RETURN(auto position,
                             snapshot_db.query("SELECT pg_export_snapshot(), "
                                               "pg_current_wal_lsn()::text, to_char(now() AT TIME "
                                               "ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"));
    const std::string snapshot = position.at(0, 0);
    m.lsn = position.at(0, 1);
    m.point_in_time = core::parse_rfc3339(position.at(0, 2)).value_or(m.started_at);
    const std::string prefix = backup_prefix(t.name, m.id);
    const auto lock = lock_for(repository_name);
    // One key generation for every part and the manifest, which names it.
    BALLAST_ASSIGN_OR_RETURN(auto tenant_key, key(t.name));
    BALLAST_ASSIGN_OR_RETURN(m.key_generation, key_generation(t.name));
    // The file store and the checks run beside the dump: pg_dump and PostgreSQL keep one core
    // busy, reading and compressing attachments the other.
    JointProgress joint(progress, "database and filestore");
    std::optional<core::Result<Part>> files;
    core::Status described = core::ok();
    std::thread beside([&] {
      files = dump_filestore(t, repository, prefix + "filestore.tar.zst.enc", tenant_key, lock,
                             joint.part(1));
      described = describe(snapshot_db, m);
    });
    auto db = dump_database(t, repository, prefix + "database.dump.zst.enc", tenant_key, lock,
                            snapshot, joint.part(0));
    beside.join();
    (void)snapshot_db.exec("COMMIT");
    core::Status failed = !db.has_value()          ? core::Status(db.error())
                          : !files->has_value()    ? core::Status(files->error())
                          : !described.has_value() ? described
                                                   : core::ok();
    if (!failed.has_value()) {
      // A part that made it alone must not stay: without its manifest it is no backup, only
      // clutter (or, on a full disk, the space the next attempt needs). A locked one stays.
      if (db.has_value()) (void)repository.remove(db->key);
      if (files->has_value()) (void)repository.remove((*files)->key);
      return failed;
    }
    m.parts.push_back(*db);
    m.parts.push_back(**files);
    m.finished_at = clock.now();
    BALLAST_ASSIGN_OR_RETURN(auto sealed, seal_document(to_json(m).dump(2), tenant_key));
    if (progress) progress({"manifest", sealed.size()});
    BALLAST_TRY(put(repository, prefix + std::string(kManifest), sealed, lock));
    return core::ok();
  };
  auto status = run();
  record.finished_at = clock.now();
  record.state = status.has_value() ? "complete" : "failed";
  record.lsn = m.lsn;
  record.point_in_time = core::format_rfc3339_ms(m.point_in_time);
  for (const auto& p : m.parts) {
    record.size_bytes += p.plain_bytes;
    record.stored_bytes += p.stored_bytes;
  }
  if (!status.has_value()) record.error = status.error().to_string();
  BALLAST_TRY(catalog_.backups().save(record));
  if (!status.has_value()) return std::move(status).error();
  return m;
}

core::Result<Manifest> TenantBackups::manifest(const std::string& tenant, const std::string& id,
                                               Repository& repository) {
  const std::string object = backup_prefix(tenant, id) + std::string(kManifest);
  auto sealed = get(repository, object, 16UL << 20);
  if (!sealed.has_value()) {
    if (sealed.error().code() == core::ErrorCode::kNotFound) {
      return core::make_error(core::ErrorCode::kNotFound,
                              "backup '{}' of tenant '{}' has no manifest: "
                              "it does not exist or never completed",
                              id, tenant)
          .with_hint("Run 'ballast backup list " + tenant + "' to see the usable backups.");
    }
    return std::move(sealed).error();
  }
  // The manifest is sealed with the key generation it names: try them, newest first.
  BALLAST_ASSIGN_OR_RETURN(auto tenant_keys, keys(tenant));
  core::Result<std::string> text =
      core::make_error(core::ErrorCode::kNotFound, "tenant '{}' has no backup key", tenant);
  for (const auto& k : tenant_keys) {
    text = open_document(*sealed, k, object);
    if (text.has_value() || text.error().code() != core::ErrorCode::kCorrupt) break;
  }
  if (!text.has_value()) return std::move(text).error();
  const auto json = nlohmann::json::parse(*text, nullptr, false);
  auto m = manifest_from_json(json);
  if (!m.has_value() || m->tenant != tenant || m->id != id) {
    return core::make_error(core::ErrorCode::kCorrupt,
                            "manifest '{}' does not describe this backup", object);
  }
  return m;
}

core::Result<std::vector<Manifest>> TenantBackups::list(const std::string& tenant,
                                                        Repository& repository) {
  BALLAST_ASSIGN_OR_RETURN(auto objects, repository.list("tenants/" + tenant + "/"));
  std::vector<Manifest> out;
  for (const auto& o : objects) {
    const auto parts = core::split(o.key, '/');
    if (parts.size() != 4 || parts[3] != kManifest) continue;
    auto m = manifest(tenant, parts[2], repository);
    if (m.has_value()) out.push_back(std::move(m).value());
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
  return out;
}

core::Status TenantBackups::verify(const Manifest& m, Repository& repository,
                                   const ProgressFn& progress) {
  BALLAST_ASSIGN_OR_RETURN(auto tenant_key, key(m.tenant, m.key_generation));
  for (const auto& part : m.parts) {
    BALLAST_ASSIGN_OR_RETURN(auto reader, repository.open(part.key));
    StringSink discard;
    class Hashing final : public Sink {
     public:
      core::Status write(std::string_view b) override {
        bytes += b.size();
        hash.update(b);
        return core::ok();
      }
      core::Status finish() override { return core::ok(); }
      core::Sha256 hash;
      std::uint64_t bytes = 0;
    } plain;
    ZstdDecompressor decompress(plain);
    Decryptor decrypt(decompress, tenant_key, part.key);
    MeasuringSink stored(decrypt);
    CountingSink counted(stored, [&](std::uint64_t n) {
      if (progress) progress({"verify " + part.name, n, part.stored_bytes});
    });
    BALLAST_TRY(copy(*reader, counted));
    if (stored.sha256() != part.stored_sha256 || plain.hash.finish() != part.plain_sha256 ||
        plain.bytes != part.plain_bytes) {
      return core::make_error(core::ErrorCode::kCorrupt,
                              "backup object '{}' does not match its manifest", part.key);
    }
  }
  return core::ok();
}

core::Status TenantBackups::restore(const Manifest& m, Repository& repository,
                                    const RestoreTarget& target, const ProgressFn& progress) {
  BALLAST_ASSIGN_OR_RETURN(auto tenant_key, key(m.tenant, m.key_generation));
  const Part* db = m.part("database");
  if (db == nullptr)
    return core::make_error(core::ErrorCode::kCorrupt, "backup '{}' has no database part", m.id);
  BALLAST_ASSIGN_OR_RETURN(const auto port, runtime_.postgres_port(target.host));
  BALLAST_ASSIGN_OR_RETURN(auto password,
                           catalog_.secrets().get(target.host.owner(), "postgres_admin_password"));
  core::Command restore{
      .argv = {(pg::bin_dir() / "pg_restore").string(), "-h",
               runtime_.layout().pg_socket_dir(target.host).string(), "-p", std::to_string(port),
               "-U", pg::kAdminRole, "--no-owner", "--role=" + target.owner, "--exit-on-error",
               "-d", target.database},
      .env = {{"PGPASSWORD", password.reveal()}},
      .stdin_mode = core::Stdio::kPipe,
      .stdout_mode = core::Stdio::kNull,
      .stderr_mode = core::Stdio::kFile,
      .output_file = runtime_.layout().logs() / ("restore-" + target.database + ".log")};
  // The file store is unpacked beside the database restore (which keeps PostgreSQL busy).
  JointProgress joint(progress, "restore database and filestore");
  const Part* files = m.part("filestore");
  std::optional<core::Status> unpacked;
  std::jthread beside;  // joined on every way out
  if (files != nullptr) {
    beside = std::jthread([&, on_progress = joint.part(1)] {
      unpacked = restore_filestore(*files, tenant_key, repository, target, on_progress);
    });
  }
  const auto database_progress = joint.part(0);
  BALLAST_ASSIGN_OR_RETURN(auto process, core::Process::start(restore));
  ProcessSink into(process);
  ZstdDecompressor decompress(into);
  Decryptor decrypt(decompress, tenant_key, db->key);
  // The reader checks the stored bytes' checksum, the decryptor their authenticity.
  CountingSink counted(decrypt, [&](std::uint64_t n) {
    if (database_progress) database_progress({"restore database", n, db->stored_bytes});
  });
  BALLAST_ASSIGN_OR_RETURN(auto reader, repository.open(db->key));
  auto piped = copy(*reader, counted);
  if (!piped.has_value()) {
    process.terminate(std::chrono::seconds(5));
    return piped;
  }
  const auto exit = process.wait();
  if (!exit.is_success()) {
    return core::make_error(core::ErrorCode::kComponentFailed, "pg_restore into '{}' {}: {}",
                            target.database, exit.describe(),
                            core::trim(core::read_file(restore.output_file).value_or("")));
  }
  if (beside.joinable()) beside.join();
  return unpacked.value_or(core::ok());
}

core::Status TenantBackups::restore_filestore(const Part& files, const core::Secret& tenant_key,
                                              Repository& repository, const RestoreTarget& target,
                                              const ProgressFn& progress) {
  BALLAST_ASSIGN_OR_RETURN(auto file_reader, repository.open(files.key));
  StringSink chunk;
  ZstdDecompressor file_decompress(chunk);
  Decryptor file_decrypt(file_decompress, tenant_key, files.key);
  bool done = false;
  std::array<char, 256 * 1024> buffer{};
  std::uint64_t read_bytes = 0;
  auto next = [&]() -> core::Result<std::string> {
    while (chunk.data().empty() && !done) {
      BALLAST_ASSIGN_OR_RETURN(const std::size_t n,
                               file_reader->read(buffer.data(), buffer.size()));
      read_bytes += n;
      if (progress) progress({"restore filestore", read_bytes, files.stored_bytes});
      if (n == 0) {
        BALLAST_TRY(file_decrypt.finish());
        done = true;
      } else {
        BALLAST_TRY(file_decrypt.write(std::string_view(buffer.data(), n)));
      }
    }
    return chunk.take();
  };
  return extract_tar(next, target.filestore);
}

PutOptions TenantBackups::lock_for(const std::string& repository_name) const {
  PutOptions options;
  const spec::Repository* spec = runtime_.spec().find_repository(repository_name);
  if (spec == nullptr || !spec->object_lock || spec->object_lock->period.count() <= 0)
    return options;
  options.retain_until = runtime_.clock().now() + spec->object_lock->period;
  options.compliance = spec->object_lock->mode == spec::LockMode::kCompliance;
  return options;
}

core::Status TenantBackups::remove(const Manifest& m, Repository& repository) {
  const std::string manifest_key = backup_prefix(m.tenant, m.id) + std::string(kManifest);
  std::vector<std::string> keys{manifest_key};
  for (const auto& part : m.parts) keys.push_back(part.key);
  const auto now = runtime_.clock().now();
  for (const auto& key : keys) {  // refuse before deleting anything
    auto info = repository.stat(key);
    if (!info.has_value()) {
      if (info.error().code() == core::ErrorCode::kNotFound) continue;
      return std::move(info).error();
    }
    if (info->retain_until && *info->retain_until > now) {
      return core::make_error(core::ErrorCode::kLocked,
                              "backup '{}' of '{}' is locked: {} is retained until {}", m.id,
                              m.tenant, key, core::format_rfc3339(*info->retain_until))
          .with_hint(
              "Object lock is there so nobody can delete it early; it can go after that "
              "date.");
    }
  }
  for (const auto& key : keys) {
    auto removed = repository.remove(key);
    if (!removed.has_value() && removed.error().code() != core::ErrorCode::kNotFound)
      return removed;
  }
  return core::ok();
}

core::Result<std::uint64_t> TenantBackups::copy_to(const Manifest& m, Repository& from,
                                                   Repository& to, const std::string& to_name,
                                                   const ProgressFn& progress) {
  const auto lock = lock_for(to_name);
  const std::string manifest_key = backup_prefix(m.tenant, m.id) + std::string(kManifest);
  std::vector<std::string> keys;
  for (const auto& part : m.parts) keys.push_back(part.key);
  keys.push_back(manifest_key);  // last: the copy exists only once everything is there
  std::uint64_t total = 0;
  std::uint64_t expected = 0;
  for (const auto& part : m.parts) expected += part.stored_bytes;
  std::vector<char> buffer(1 << 20);
  for (const auto& key : keys) {
    BALLAST_ASSIGN_OR_RETURN(auto reader, from.open(key));
    BALLAST_ASSIGN_OR_RETURN(auto writer, to.create(key, lock));
    for (;;) {
      BALLAST_ASSIGN_OR_RETURN(const auto n, reader->read(buffer.data(), buffer.size()));
      if (n == 0) break;  // the source checksum was verified at its end
      BALLAST_TRY(writer->write(std::string_view(buffer.data(), n)));
      total += n;
      if (progress) progress({"copy", total, expected});
    }
    BALLAST_TRY(writer->commit());
  }
  return total;
}

}  // namespace ballast::backup
