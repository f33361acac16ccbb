// A minimal S3 client over libcurl: requests signed with AWS SigV4 by curl
// (CURLOPT_AWS_SIGV4), path-style URLs, payload hashes, retries with backoff.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/secret.h"

namespace ballast::backup::s3 {

struct ClientConfig {
  std::string endpoint;  // "https://s3.example.com:9000" (no trailing slash)
  std::string region = "us-east-1";
  std::string service = "s3";
  core::Secret access_key_id;
  core::Secret secret_access_key;
  bool verify_tls = true;
  std::string ca_file;
  int attempts = 4;  // 1 + retries on network errors, 5xx and 429
  std::chrono::seconds timeout{120};
  std::vector<std::string> connect_to;  // curl CONNECT_TO entries (tests)
};

struct Request {
  std::string method = "GET";
  std::string path;   // already URL-encoded, starting with '/'
  std::string query;  // "a=1&b=2", already encoded
  std::map<std::string, std::string> headers;
  std::string body;
};

struct Response {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

class Client final {
 public:
  explicit Client(ClientConfig config) : config_(std::move(config)) {}
  // Sends with retries. kUnavailable when the store cannot be reached; HTTP errors are
  // returned as responses for the caller to interpret.
  core::Result<Response> send(const Request& request) const;
  [[nodiscard]] const ClientConfig& config() const { return config_; }

 private:
  core::Result<Response> send_once(const Request& request) const;
  ClientConfig config_;
};

// Percent-encodes a key for a URL path, keeping '/'.
std::string encode_path(const std::string& key);
std::string encode_query_value(const std::string& value);
// The S3 error code in an XML error body ("NoSuchKey"), or "".
std::string error_code(const std::string& body);

}  // namespace ballast::backup::s3
