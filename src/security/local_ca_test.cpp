// The local CA: created once with a 0600 key, and server certificates that `openssl verify`
// accepts for the names asked, with their own 0600 keys.
#include "security/local_ca.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/crypto.h"
#include "core/file.h"
#include "core/subprocess.h"

namespace ballast::security {
namespace {

namespace fs = std::filesystem;

class LocalCaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ballast-ca-" + core::hex_encode(core::random_bytes(4)));
  }
  void TearDown() override { fs::remove_all(dir_); }
  static unsigned mode_of(const fs::path& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_mode & 0777 : 0;
  }
  static std::string openssl(const std::vector<std::string>& args) {
    core::Command command;
    command.argv = {"openssl"};
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    auto done = core::run(command, std::chrono::seconds(30));
    if (!done.has_value()) return done.error().to_string();
    return done->out + done->err;
  }

  core::SystemClock clock_;
  fs::path dir_;
};

TEST_F(LocalCaTest, IssuesCertificatesThatOpensslVerifies) {
  auto ca = LocalCa::open_or_create(dir_ / "ca", "Ballast local CA", clock_);
  ASSERT_TRUE(ca.has_value()) << ca.error().to_string();
  EXPECT_EQ(mode_of(dir_ / "ca" / "ca.key"), 0600U);
  EXPECT_EQ(mode_of(dir_ / "ca"), 0700U);
  const std::string ca_pem = core::read_file(dir_ / "ca" / "ca.crt").value();

  auto issued = ca->issue({"erp.acme.example", "*.acme.example"}, dir_ / "certs",
                          std::chrono::hours(24 * 90));
  ASSERT_TRUE(issued.has_value()) << issued.error().to_string();
  EXPECT_EQ(mode_of(issued->key), 0600U);
  const auto ca_file = (dir_ / "ca" / "ca.crt").string();
  EXPECT_EQ(openssl({"verify", "-CAfile", ca_file, issued->certificate.string()}),
            issued->certificate.string() + ": OK\n");
  EXPECT_NE(openssl({"verify", "-CAfile", ca_file, "-purpose", "sslserver", "-verify_hostname",
                     "erp.acme.example", issued->certificate.string()})
                .find(": OK"),
            std::string::npos);
  EXPECT_EQ(openssl({"verify", "-CAfile", ca_file, "-verify_hostname", "other.example",
                     issued->certificate.string()})
                .find(": OK"),
            std::string::npos);
  const auto text = openssl({"x509", "-noout", "-text", "-in", issued->certificate.string()});
  EXPECT_NE(text.find("DNS:erp.acme.example, DNS:*.acme.example"), std::string::npos) << text;

  // A loopback address (the daemon's API) becomes an IP SAN that clients verify.
  auto api = ca->issue({"127.0.0.1"}, dir_ / "api", std::chrono::hours(24));
  ASSERT_TRUE(api.has_value()) << api.error().to_string();
  EXPECT_NE(
      openssl({"verify", "-CAfile", ca_file, "-verify_ip", "127.0.0.1", api->certificate.string()})
          .find(": OK"),
      std::string::npos);

  // Opening again keeps the same CA.
  auto again = LocalCa::open_or_create(dir_ / "ca", "Ballast local CA", clock_);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(core::read_file(dir_ / "ca" / "ca.crt").value(), ca_pem);
}

TEST_F(LocalCaTest, RefusesNamesThatAreNotDomains) {
  auto ca = LocalCa::open_or_create(dir_ / "ca", "Ballast local CA", clock_);
  ASSERT_TRUE(ca.has_value());
  for (const std::string bad : {"", "localhost", "../etc/passwd", "a b.example", "x.example\r\n"}) {
    auto issued = ca->issue({bad}, dir_ / "certs", std::chrono::hours(1));
    ASSERT_FALSE(issued.has_value()) << bad;
    EXPECT_EQ(issued.error().code(), core::ErrorCode::kInvalidArgument);
  }
  ASSERT_TRUE(core::write_file_atomic(dir_ / "ca" / "ca.key", "garbage", 0600).has_value());
  EXPECT_EQ(LocalCa::open_or_create(dir_ / "ca", "x", clock_).error().code(),
            core::ErrorCode::kCorrupt);
}

}  // namespace
}  // namespace ballast::security
