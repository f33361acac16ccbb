#include "backup/repository/s3/s3_client.h"

#include <cstring>
#include <memory>
#include <thread>

#include <curl/curl.h>
#include <fmt/format.h>

#include "core/crypto.h"
#include "core/text.h"

namespace ballast::backup::s3 {
namespace {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  const std::string line(data, size * count);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    (*headers)[core::to_lower(core::trim(line.substr(0, colon)))] =
        std::string(core::trim(line.substr(colon + 1)));
  }
  return size * count;
}

struct Upload {
  const std::string* body;
  std::size_t offset = 0;
};

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, upload->body->size() - upload->offset);
  std::memcpy(buffer, upload->body->data() + upload->offset, n);
  upload->offset += n;
  return n;
}

bool is_retryable(long status) { return status == 429 || status >= 500; }

}  // namespace

std::string encode_path(const std::string& key) {
  std::string out;
  for (const char ch : key) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string encode_query_value(const std::string& value) {
  std::string out;
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string error_code(const std::string& body) {
  const auto start = body.find("<Code>");
  const auto end = body.find("</Code>");
  if (start == std::string::npos || end == std::string::npos || end < start) return "";
  return body.substr(start + 6, end - start - 6);
}

core::Result<Response> Client::send(const Request& request) const {
  std::chrono::milliseconds delay(200);
  core::Result<Response> last = core::make_error(core::ErrorCode::kUnavailable, "not sent");
  for (int attempt = 1; attempt <= config_.attempts; ++attempt) {
    last = send_once(request);
    if (last.has_value() && !is_retryable(last->status)) return last;
    if (attempt < config_.attempts) {
      std::this_thread::sleep_for(delay);
      delay *= 2;
    }
  }
  if (last.has_value()) return last;  // a 5xx after every retry: the caller reports it
  return std::move(last).error().with_hint(
      "Check the repository's endpoint and credentials, then run 'ballast backup verify'.");
}

core::Result<Response> Client::send_once(const Request& request) const {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return core::make_error(core::ErrorCode::kInternal, "curl_easy_init failed");
  CURL* c = curl.get();
  const std::string url =
      config_.endpoint + request.path + (request.query.empty() ? "" : "?" + request.query);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  const std::string provider = fmt::format("aws:amz:{}:{}", config_.region, config_.service);
  curl_easy_setopt(c, CURLOPT_AWS_SIGV4, provider.c_str());
  const std::string credentials =
      config_.access_key_id.reveal() + ":" + config_.secret_access_key.reveal();
  curl_easy_setopt(c, CURLOPT_USERPWD, credentials.c_str());
  std::unique_ptr<curl_slist, ListDeleter> headers;
  curl_slist* list = nullptr;
  auto all_headers = request.headers;
  if (all_headers.count("x-amz-content-sha256") == 0) {
    all_headers["x-amz-content-sha256"] = core::sha256_hex(request.body);
  }
  for (const auto& [k, v] : all_headers) list = curl_slist_append(list, (k + ": " + v).c_str());
  headers.reset(list);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  std::unique_ptr<curl_slist, ListDeleter> connect_to;
  curl_slist* targets = nullptr;
  for (const auto& entry : config_.connect_to) targets = curl_slist_append(targets, entry.c_str());
  connect_to.reset(targets);
  if (targets != nullptr) curl_easy_setopt(c, CURLOPT_CONNECT_TO, targets);
  Upload upload{&request.body};
  if (request.method == "PUT") {
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &upload);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method == "POST") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  Response response;
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &response.headers);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(config_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  if (!config_.verify_tls) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!config_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, config_.ca_file.c_str());
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    return core::make_error(core::ErrorCode::kUnavailable, "S3 endpoint '{}' is not reachable: {}",
                            config_.endpoint, curl_easy_strerror(rc));
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace ballast::backup::s3
