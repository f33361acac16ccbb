// Streaming stages of the backup pipeline. Each stage is a Sink that transforms what it is
// given and pushes the result to the next; memory stays bounded by each stage's buffer, so a
// backup never needs a full temporary copy on disk.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "backup/repository/repository.h"
#include "core/crypto.h"
#include "core/result.h"

namespace ballast::backup {

class Sink {
 public:
  virtual ~Sink() = default;
  virtual core::Status write(std::string_view bytes) = 0;
  // No more input: flush everything downstream and finish the next stage.
  virtual core::Status finish() = 0;
};

// Counts and hashes what passes through (for manifests and progress).
class MeasuringSink final : public Sink {
 public:
  explicit MeasuringSink(Sink& next) : next_(next) {}
  core::Status write(std::string_view bytes) override;
  core::Status finish() override { return next_.finish(); }
  [[nodiscard]] std::uint64_t bytes() const { return bytes_; }
  std::string sha256() { return hash_.finish(); }

 private:
  Sink& next_;
  std::uint64_t bytes_ = 0;
  core::Sha256 hash_;
};

// Counts bytes going through and calls `report` with the running count (every write).
class CountingSink final : public Sink {
 public:
  CountingSink(Sink& next, std::function<void(std::uint64_t)> report)
      : next_(next), report_(std::move(report)) {}
  core::Status write(std::string_view bytes) override {
    BALLAST_TRY(next_.write(bytes));
    bytes_ += bytes.size();
    if (report_) report_(bytes_);
    return core::ok();
  }
  core::Status finish() override { return next_.finish(); }

 private:
  Sink& next_;
  std::function<void(std::uint64_t)> report_;
  std::uint64_t bytes_ = 0;
};

// zstd compression (libzstd, multi-threaded when `workers` > 0).
class ZstdCompressor final : public Sink {
 public:
  ZstdCompressor(Sink& next, int level = 3, int workers = 2);
  ~ZstdCompressor() override;
  core::Status write(std::string_view bytes) override;
  core::Status finish() override;

 private:
  core::Status pump(std::string_view input, bool end);
  Sink& next_;
  void* context_;
  std::string out_;
};

class ZstdDecompressor final : public Sink {
 public:
  explicit ZstdDecompressor(Sink& next);
  ~ZstdDecompressor() override;
  core::Status write(std::string_view bytes) override;
  core::Status finish() override;

 private:
  Sink& next_;
  void* context_;
  std::string out_;
  bool at_frame_end_ = true;
};

// Authenticated encryption in chunks (libsodium secretstream, XChaCha20-Poly1305) under a
// 32-byte key: docs/formats/backup-object.md. Reordered, dropped, altered or truncated chunks
// fail to decrypt.
class Encryptor final : public Sink {
 public:
  static constexpr std::size_t kChunk = 64 * 1024;
  Encryptor(Sink& next, const core::Secret& key);
  core::Status write(std::string_view bytes) override;
  core::Status finish() override;

 private:
  core::Status seal(std::string_view chunk, bool last);
  Sink& next_;
  core::Secret key_;
  alignas(16) unsigned char state_[64];
  bool started_ = false;
  std::string pending_;
};

class Decryptor final : public Sink {
 public:
  Decryptor(Sink& next, const core::Secret& key, std::string object_name);
  core::Status write(std::string_view bytes) override;
  core::Status finish() override;

 private:
  core::Status drain();
  Sink& next_;
  core::Secret key_;
  std::string name_;
  alignas(16) unsigned char state_[64];
  bool started_ = false;
  bool ended_ = false;
  std::string buffer_;
};

// The last stage: an object in a repository, committed on finish.
class ObjectSink final : public Sink {
 public:
  explicit ObjectSink(std::unique_ptr<ObjectWriter> writer) : writer_(std::move(writer)) {}
  core::Status write(std::string_view bytes) override { return writer_->write(bytes); }
  core::Status finish() override;
  [[nodiscard]] const ObjectInfo& info() const { return info_; }

 private:
  std::unique_ptr<ObjectWriter> writer_;
  ObjectInfo info_;
};

// Collects everything (tests, manifests).
class StringSink final : public Sink {
 public:
  core::Status write(std::string_view bytes) override {
    data_.append(bytes);
    return core::ok();
  }
  core::Status finish() override { return core::ok(); }
  [[nodiscard]] const std::string& data() const { return data_; }
  // Hands over what was collected so far and starts empty.
  std::string take() { return std::exchange(data_, {}); }

 private:
  std::string data_;
};

// Reads `reader` to the end into `sink` (then finishes it).
core::Status copy(ObjectReader& reader, Sink& sink);

// Seals/opens a small document (a manifest) in one piece with the same format.
core::Result<std::string> seal_document(std::string_view plaintext, const core::Secret& key);
core::Result<std::string> open_document(std::string_view sealed, const core::Secret& key,
                                        const std::string& name);

}  // namespace ballast::backup
