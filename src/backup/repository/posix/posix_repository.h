// The posix driver: objects are files under a directory, written to a temporary name, fsynced
// and renamed into place; a ".ballast-meta" sidecar (written last) records size and SHA-256.
#pragma once

#include <filesystem>
#include <memory>

#include "backup/repository/repository.h"

namespace ballast::backup {

class PosixRepository final : public Repository {
 public:
  // Creates `root` (0700) when missing.
  static core::Result<std::unique_ptr<PosixRepository>> open_root(
      const std::filesystem::path& root);

  [[nodiscard]] Features features() const override { return {}; }
  [[nodiscard]] std::string describe() const override { return "posix:" + root_.string(); }
  core::Result<std::unique_ptr<ObjectWriter>> create(const std::string& key,
                                                     const PutOptions& options) override;
  core::Result<std::unique_ptr<ObjectReader>> open(const std::string& key) override;
  core::Result<ObjectInfo> stat(const std::string& key) override;
  core::Result<std::vector<ObjectInfo>> list(const std::string& prefix) override;
  core::Status remove(const std::string& key) override;

 private:
  explicit PosixRepository(std::filesystem::path root) : root_(std::move(root)) {}
  std::filesystem::path root_;
};

}  // namespace ballast::backup
