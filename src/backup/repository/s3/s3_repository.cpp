#include "backup/repository/s3/s3_repository.h"

#include <fmt/format.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <nlohmann/json.hpp>

#include "core/crypto.h"

namespace ballast::backup {
namespace {

nlohmann::json meta_json(const ObjectInfo& info) {
  nlohmann::json meta = {{"size", info.size}, {"sha256", info.sha256}};
  if (info.retain_until) meta["retain_until"] = core::format_rfc3339(*info.retain_until);
  return meta;
}

std::map<std::string, std::string> lock_headers(const PutOptions& options) {
  if (!options.retain_until) return {};
  return {{"x-amz-object-lock-mode", options.compliance ? "COMPLIANCE" : "GOVERNANCE"},
          {"x-amz-object-lock-retain-until-date", core::format_rfc3339(*options.retain_until)}};
}

std::string xml_text(xmlNode* node, const char* name) {
  for (xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE &&
        xmlStrcmp(c->name, reinterpret_cast<const xmlChar*>(name)) == 0) {
      xmlChar* text = xmlNodeGetContent(c);
      std::string out = text != nullptr ? reinterpret_cast<const char*>(text) : "";
      xmlFree(text);
      return out;
    }
  }
  return "";
}

class S3Writer final : public ObjectWriter {
 public:
  S3Writer(S3Repository& repo, std::string key, PutOptions options)
      : repo_(repo), key_(std::move(key)), options_(options) {}
  ~S3Writer() override {
    if (!committed_ && !upload_id_.empty()) {
      (void)repo_.client().send({"DELETE",
                                 repo_.path_of(key_),
                                 "uploadId=" + s3::encode_query_value(upload_id_),
                                 {},
                                 ""});
    }
  }
  core::Status write(std::string_view bytes) override {
    hash_.update(bytes);
    size_ += bytes.size();
    buffer_.append(bytes);
    while (buffer_.size() >= repo_.location().part_size) {
      BALLAST_TRY(upload_part(buffer_.substr(0, repo_.location().part_size)));
      buffer_.erase(0, repo_.location().part_size);
    }
    return core::ok();
  }
  core::Result<ObjectInfo> commit() override {
    const std::string path = repo_.path_of(key_);
    if (upload_id_.empty()) {
      s3::Request put{"PUT", path, "", lock_headers(options_), buffer_};
      BALLAST_ASSIGN_OR_RETURN(auto r, repo_.client().send(put));
      if (r.status != 200) return s3_error(r, "uploading", key_);
    } else {
      if (!buffer_.empty() || etags_.empty()) BALLAST_TRY(upload_part(buffer_));
      std::string xml = "<CompleteMultipartUpload>";
      for (std::size_t i = 0; i < etags_.size(); ++i) {
        xml += fmt::format("<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>", i + 1,
                           etags_[i]);
      }
      xml += "</CompleteMultipartUpload>";
      s3::Request done{"POST", path, "uploadId=" + s3::encode_query_value(upload_id_), {}, xml};
      BALLAST_ASSIGN_OR_RETURN(auto r, repo_.client().send(done));
      if (r.status != 200 || r.body.find("<Error>") != std::string::npos) {
        return s3_error(r, "completing the upload of", key_);
      }
    }
    ObjectInfo info{key_, size_, hash_.finish(), options_.retain_until};
    s3::Request meta{"PUT", repo_.path_of(key_ + std::string(kMetaSuffix)), "",
                     lock_headers(options_), meta_json(info).dump()};
    BALLAST_ASSIGN_OR_RETURN(auto r, repo_.client().send(meta));
    if (r.status != 200) return s3_error(r, "recording", key_);
    committed_ = true;
    return info;
  }

 private:
  core::Status upload_part(const std::string& part) {
    const std::string path = repo_.path_of(key_);
    if (upload_id_.empty()) {
      s3::Request start{"POST", path, "uploads=", lock_headers(options_), ""};
      BALLAST_ASSIGN_OR_RETURN(auto r, repo_.client().send(start));
      const auto open = r.body.find("<UploadId>");
      const auto close = r.body.find("</UploadId>");
      if (r.status != 200 || open == std::string::npos || close == std::string::npos) {
        return s3_error(r, "starting a multipart upload of", key_);
      }
      upload_id_ = r.body.substr(open + 10, close - open - 10);
    }
    s3::Request put{"PUT",
                    path,
                    fmt::format("partNumber={}&uploadId={}", etags_.size() + 1,
                                s3::encode_query_value(upload_id_)),
                    {},
                    part};
    BALLAST_ASSIGN_OR_RETURN(auto r, repo_.client().send(put));
    if (r.status != 200) return s3_error(r, "uploading a part of", key_);
    etags_.push_back(r.headers["etag"]);
    return core::ok();
  }

  S3Repository& repo_;
  std::string key_;
  PutOptions options_;
  std::string buffer_;
  std::string upload_id_;
  std::vector<std::string> etags_;
  core::Sha256 hash_;
  std::uint64_t size_ = 0;
  bool committed_ = false;
};

class S3Reader final : public ObjectReader {
 public:
  S3Reader(S3Repository& repo, ObjectInfo info) : repo_(repo), info_(std::move(info)) {}
  core::Result<std::size_t> read(char* buffer, std::size_t size) override {
    if (offset_ >= chunk_.size()) {
      if (position_ >= info_.size) return finish();
      const std::uint64_t last =
          std::min<std::uint64_t>(info_.size, position_ + repo_.location().part_size) - 1;
      s3::Request get{"GET",
                      repo_.path_of(info_.key),
                      "",
                      {{"range", fmt::format("bytes={}-{}", position_, last)}},
                      ""};
      BALLAST_ASSIGN_OR_RETURN(auto r, repo_.client().send(get));
      if (r.status != 206 && r.status != 200) return s3_error(r, "reading", info_.key);
      if (r.body.empty()) return finish();
      chunk_ = std::move(r.body);
      offset_ = 0;
      position_ += chunk_.size();
    }
    const std::size_t n = std::min(size, chunk_.size() - offset_);
    std::memcpy(buffer, chunk_.data() + offset_, n);
    hash_.update(std::string_view(buffer, n));
    offset_ += n;
    return n;
  }

 private:
  core::Result<std::size_t> finish() {
    if (!finished_ && hash_.finish() != info_.sha256) {
      finished_ = true;
      return core::make_error(core::ErrorCode::kCorrupt,
                              "backup object '{}' is corrupt: its checksum does not match",
                              info_.key)
          .with_hint(
              "Use another backup or a copy from another repository; run 'ballast backup "
              "verify' to check the rest.");
    }
    finished_ = true;
    return std::size_t{0};
  }
  S3Repository& repo_;
  ObjectInfo info_;
  std::string chunk_;
  std::size_t offset_ = 0;
  std::uint64_t position_ = 0;
  core::Sha256 hash_;
  bool finished_ = false;
};

}  // namespace

core::Error s3_error(const s3::Response& r, std::string_view what, const std::string& key) {
  const std::string code = s3::error_code(r.body);
  core::ErrorCode ec = core::ErrorCode::kComponentFailed;
  if (r.status == 404 || code == "NoSuchKey") ec = core::ErrorCode::kNotFound;
  if (r.status == 403) ec = core::ErrorCode::kPermissionDenied;
  if (code == "AccessDenied" && r.status == 403) ec = core::ErrorCode::kPermissionDenied;
  if (r.status >= 500) ec = core::ErrorCode::kUnavailable;
  return core::make_error(ec, "S3 refused {} '{}': HTTP {}{}", what, key, r.status,
                          code.empty() ? "" : " " + code);
}

std::string S3Repository::describe() const {
  return fmt::format("s3://{}/{} at {}", location_.bucket, location_.prefix,
                     client_.config().endpoint);
}

std::string S3Repository::path_of(const std::string& key) const {
  return "/" + s3::encode_path(location_.bucket) + "/" + s3::encode_path(location_.prefix + key);
}

core::Result<std::unique_ptr<ObjectWriter>> S3Repository::create(const std::string& key,
                                                                 const PutOptions& options) {
  BALLAST_TRY(validate_key(key));
  return std::unique_ptr<ObjectWriter>(new S3Writer(*this, key, options));
}

core::Result<ObjectInfo> S3Repository::stat(const std::string& key) {
  BALLAST_TRY(validate_key(key));
  BALLAST_ASSIGN_OR_RETURN(
      auto r, client_.send({"GET", path_of(key + std::string(kMetaSuffix)), "", {}, ""}));
  if (r.status == 404)
    return core::make_error(core::ErrorCode::kNotFound, "object '{}' does not exist", key);
  if (r.status != 200) return s3_error(r, "reading the record of", key);
  const auto meta = nlohmann::json::parse(r.body, nullptr, false);
  if (!meta.is_object() || !meta.contains("sha256")) {
    return core::make_error(core::ErrorCode::kCorrupt, "the record of object '{}' is damaged", key);
  }
  ObjectInfo info{key, meta.value("size", 0ULL), meta.value("sha256", ""), std::nullopt};
  if (meta.contains("retain_until"))
    info.retain_until = core::parse_rfc3339(meta["retain_until"].get<std::string>());
  return info;
}

core::Result<std::unique_ptr<ObjectReader>> S3Repository::open(const std::string& key) {
  BALLAST_ASSIGN_OR_RETURN(auto info, stat(key));
  return std::unique_ptr<ObjectReader>(new S3Reader(*this, std::move(info)));
}

core::Result<std::vector<ObjectInfo>> S3Repository::list(const std::string& prefix) {
  std::vector<ObjectInfo> out;
  std::string token;
  const std::string suffix(kMetaSuffix);
  do {
    std::string query = "list-type=2&prefix=" + s3::encode_query_value(location_.prefix + prefix);
    if (!token.empty()) query += "&continuation-token=" + s3::encode_query_value(token);
    BALLAST_ASSIGN_OR_RETURN(
        auto r, client_.send({"GET", "/" + s3::encode_path(location_.bucket), query, {}, ""}));
    if (r.status != 200) return s3_error(r, "listing", prefix);
    BALLAST_ASSIGN_OR_RETURN(auto page, parse_list(r.body));
    for (const auto& [full, size] : page.objects) {
      if (full.size() <= suffix.size() ||
          full.compare(full.size() - suffix.size(), suffix.size(), suffix) != 0)
        continue;
      const std::string key = full.substr(location_.prefix.size(),
                                          full.size() - suffix.size() - location_.prefix.size());
      auto info = stat(key);
      if (info.has_value()) out.push_back(std::move(info).value());
    }
    token = page.next_token;
  } while (!token.empty());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  return out;
}

core::Status S3Repository::remove(const std::string& key) {
  auto info = stat(key);
  if (info.has_value() && info->retain_until &&
      *info->retain_until > std::chrono::system_clock::now()) {
    return core::make_error(core::ErrorCode::kLocked, "object '{}' is retained until {}", key,
                            core::format_rfc3339(*info->retain_until));
  }
  for (const auto& k : {key + std::string(kMetaSuffix), key}) {
    BALLAST_ASSIGN_OR_RETURN(auto r, client_.send({"DELETE", path_of(k), "", {}, ""}));
    if (r.status != 204 && r.status != 200 && r.status != 404) return s3_error(r, "deleting", key);
  }
  return core::ok();
}

core::Result<ListPage> parse_list(const std::string& xml) {
  std::unique_ptr<xmlDoc, void (*)(xmlDoc*)> doc(
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "list.xml", nullptr,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
      xmlFreeDoc);
  if (!doc) return core::make_error(core::ErrorCode::kComponentFailed, "S3 listing is not XML");
  ListPage page;
  xmlNode* root = xmlDocGetRootElement(doc.get());
  for (xmlNode* c = root != nullptr ? root->children : nullptr; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (xmlStrcmp(c->name, reinterpret_cast<const xmlChar*>("Contents")) == 0) {
      page.objects.emplace_back(xml_text(c, "Key"), std::stoull("0" + xml_text(c, "Size")));
    }
  }
  if (root != nullptr && xml_text(root, "IsTruncated") == "true") {
    page.next_token = xml_text(root, "NextContinuationToken");
  }
  return page;
}

}  // namespace ballast::backup
