// The s3 driver: objects in a bucket (path-style), multipart for large objects, Object Lock
// retention when asked, and the same ".ballast-meta" sidecar as the posix driver.
#pragma once

#include <memory>

#include "backup/repository/repository.h"
#include "backup/repository/s3/s3_client.h"

namespace ballast::backup {

struct S3Location {
  std::string bucket;
  std::string prefix;                 // "" or "prod/" style; keys go under it
  std::size_t part_size = 8UL << 20;  // objects larger than this use multipart upload
};

class S3Repository final : public Repository {
 public:
  S3Repository(s3::ClientConfig config, S3Location location)
      : client_(std::move(config)), location_(std::move(location)) {}

  [[nodiscard]] Features features() const override { return {true, true}; }
  [[nodiscard]] std::string describe() const override;
  core::Result<std::unique_ptr<ObjectWriter>> create(const std::string& key,
                                                     const PutOptions& options) override;
  core::Result<std::unique_ptr<ObjectReader>> open(const std::string& key) override;
  core::Result<ObjectInfo> stat(const std::string& key) override;
  core::Result<std::vector<ObjectInfo>> list(const std::string& prefix) override;
  core::Status remove(const std::string& key) override;

  // The URL path of a key ("/bucket/prefix/key", encoded).
  [[nodiscard]] std::string path_of(const std::string& key) const;
  [[nodiscard]] const s3::Client& client() const { return client_; }
  [[nodiscard]] const S3Location& location() const { return location_; }

 private:
  s3::Client client_;
  S3Location location_;
};

// An Error for an S3 answer that is not a success, naming the object.
core::Error s3_error(const s3::Response& response, std::string_view what, const std::string& key);

// Keys and sizes from a ListObjectsV2 answer, and its continuation token ("" at the end).
struct ListPage {
  std::vector<std::pair<std::string, std::uint64_t>> objects;
  std::string next_token;
};
core::Result<ListPage> parse_list(const std::string& xml);

}  // namespace ballast::backup
