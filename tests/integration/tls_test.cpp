// TLS for tenant domains through the real HAProxy on loopback, with certificates from the
// platform's local CA: curl verifies them against the CA file, plain HTTP is redirected, HSTS
// is sent, weak ciphers are refused, and a domain added later gets its certificate at once.
#include <chrono>
#include <iostream>
#include <optional>

#include <httplib.h>

#include "core/subprocess.h"
#include "platform_fixture.h"

namespace ballast::testing {
namespace {

class TlsTest : public PlatformFixture {
 public:
  static void SetUpTestSuite() {
    use_odoo_standin_unless_set();
    https_port_ = free_port();
    PlatformFixture::SetUpTestSuite();
  }

 protected:
  // curl over HTTPS to `host`, resolved to loopback, trusting only the platform's CA.
  static core::Completed curl(const std::string& host, const std::string& path,
                              std::vector<std::string> extra = {}) {
    const std::string port = std::to_string(https_port_);
    std::vector<std::string> argv = {
        "curl",       "-sS",
        "-D",         "-",
        "-o",         "/dev/null",
        "--max-time", "30",
        "--cacert",   (platform().state_dir() / "ca" / "ca.crt").string(),
        "--resolve",  host + ":" + port + ":127.0.0.1"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("https://" + host + ":" + port + path);
    core::Command command{.argv = argv};
    command.unset_env = {"CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"};
    return core::run(command, std::chrono::seconds(60)).value();
  }
};

TEST_F(TlsTest, TenantsAnswerOverVerifiedTlsWithHsts) {
  for (const std::string host : {"a.it.test", "b.it.test", "www.b.test"}) {
    auto answer = curl(host, "/web/login");
    ASSERT_TRUE(answer.status.is_success()) << host << ": " << answer.err;
    EXPECT_EQ(answer.out.rfind("HTTP/1.1 200", 0), 0U) << host << ": " << answer.out;
    EXPECT_NE(answer.out.find("strict-transport-security: max-age=31536000"), std::string::npos)
        << answer.out;
  }
}

TEST_F(TlsTest, PlainHttpIsRedirectedToHttps) {
  httplib::Client client("127.0.0.1", http_port());
  auto r = client.Get("/web/login?db=a&next=odoo", httplib::Headers{{"Host", "a.it.test"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 301);
  EXPECT_EQ(r->get_header_value("Location"),
            "https://a.it.test:" + std::to_string(https_port_) + "/web/login?db=a&next=odoo");
  // An unknown host is not redirected anywhere (no open redirect, no header injection).
  auto unknown = client.Get("/", httplib::Headers{{"Host", "evil.example"}});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}

TEST_F(TlsTest, WeakCiphersAndOldProtocolsAreRefused) {
  auto cbc = curl("a.it.test", "/web/login", {"--tls-max", "1.2", "--ciphers", "AES128-SHA"});
  EXPECT_FALSE(cbc.status.is_success()) << cbc.out;
  auto old = curl("a.it.test", "/web/login", {"--tlsv1.1", "--tls-max", "1.1"});
  EXPECT_FALSE(old.status.is_success()) << old.out;
  auto modern = curl("a.it.test", "/web/login", {"--tlsv1.2", "--tls-max", "1.2"});
  EXPECT_TRUE(modern.status.is_success()) << modern.err;
}

TEST_F(TlsTest, ADomainAddedLaterGetsACertificateWithoutDroppingTraffic) {
  // Requests keep coming while HAProxy reloads; none may go unanswered.
  std::optional<core::Result<nlohmann::json>> added;
  std::chrono::milliseconds took{};
  const auto traffic = traffic_during("b.it.test", 301, [&] {
    const auto began = std::chrono::steady_clock::now();
    added = platform().tenant_add_domain("a", "shop.a.test", kActor);
    took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 began);
  });
  ASSERT_TRUE(added->has_value()) << added->error().to_string();
  EXPECT_GT(traffic.answered, 0);
  EXPECT_EQ(traffic.failed, 0);
  std::cout << "domain added with a new certificate and a HAProxy reload in " << took.count()
            << " ms; requests meanwhile: " << traffic.answered << " answered, " << traffic.failed
            << " failed\n";
  auto answer = curl("shop.a.test", "/web/login");
  ASSERT_TRUE(answer.status.is_success()) << answer.err;
  EXPECT_EQ(answer.out.rfind("HTTP/1.1 200", 0), 0U) << answer.out;
  EXPECT_TRUE(curl("b.it.test", "/web/login").status.is_success());
  // A name no certificate covers fails verification rather than falling back silently.
  auto unknown = curl("nobody.example", "/");
  EXPECT_FALSE(unknown.status.is_success());
}

}  // namespace
}  // namespace ballast::testing
