#include "harness/s3_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ballast::testing {
namespace {

bool port_answers(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

S3Server::S3Server(std::string bucket) : bucket_(std::move(bucket)), port_(free_port()) { start(); }

S3Server::S3Server(std::string bucket, bool tls)
    : bucket_(std::move(bucket)), port_(free_port()), tls_(tls) {
  if (tls_) {
    core::Command openssl{.argv = {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                   "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj",
                                   "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                                   "-keyout", (dir_.path() / "key.pem").string(), "-out",
                                   ca_file().string()}};
    auto made = core::run_checked(openssl, std::chrono::seconds(30));
    if (!made.has_value()) {
      error_ = "openssl could not make the test certificate: " + made.error().to_string();
      return;
    }
  }
  start();
}

S3Server::~S3Server() { stop(); }

bool S3Server::start() {
  const auto binary = source_dir() / "tools" / "node_modules" / ".bin" / "s3rver";
  core::Command command{
      .argv = {binary.string(), "-d", (dir_ / "data").string(), "-a", "127.0.0.1", "-p",
               std::to_string(port_), "--silent", "--configure-bucket", bucket_},
      .env = {{"NODE_OPTIONS", "--openssl-legacy-provider"}},
      .stdout_mode = core::Stdio::kFile,
      .stderr_mode = core::Stdio::kFile,
      .output_file = dir_ / "s3rver.log"};
  if (tls_) {
    command.argv.insert(command.argv.end(), {"--key", (dir_.path() / "key.pem").string(), "--cert",
                                             ca_file().string()});
  }
  auto process = core::Process::start(command);
  if (!process.has_value()) {
    error_ = process.error().to_string();
    return false;
  }
  process_.emplace(std::move(process).value());
  if (!poll_until([&] { return port_answers(port_); }, std::chrono::seconds(30))) {
    error_ = "s3rver did not listen: " + read_text(dir_ / "s3rver.log");
    stop();
    return false;
  }
  return true;
}

void S3Server::stop() {
  if (process_) process_->terminate(std::chrono::seconds(5));
  process_.reset();
}

}  // namespace ballast::testing
