// s3rver (npm, installed by scripts/install-deps into tools/) on a free loopback port, in a
// temporary directory, with one bucket; stopped and removed on destruction.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/subprocess.h"
#include "harness/harness.h"

namespace ballast::testing {

class S3Server final {
 public:
  // Starts and waits until it answers; check is_running().
  explicit S3Server(std::string bucket = "ballast-test");
  // With tls, s3rver serves HTTPS with a fresh self-signed certificate for "localhost" (what
  // pgBackRest needs: TLS, and a DNS name in the certificate); ca_file() is that certificate.
  S3Server(std::string bucket, bool tls);
  S3Server(const S3Server&) = delete;
  S3Server& operator=(const S3Server&) = delete;
  ~S3Server();
  [[nodiscard]] bool is_running() const { return process_.has_value(); }
  [[nodiscard]] std::string endpoint() const {
    return tls_ ? "https://localhost:" + std::to_string(port_)
                : "http://127.0.0.1:" + std::to_string(port_);
  }
  [[nodiscard]] std::filesystem::path ca_file() const { return dir_.path() / "cert.pem"; }
  [[nodiscard]] const std::string& bucket() const { return bucket_; }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  // Stops it (to test an unreachable store) and starts it again on the same port and data.
  void stop();
  bool start();
  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  TempDir dir_{"ballast-s3"};
  std::string bucket_;
  std::uint16_t port_ = 0;
  bool tls_ = false;
  std::optional<core::Process> process_;
  std::string error_;
};

}  // namespace ballast::testing
