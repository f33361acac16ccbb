// Certificates supplied in the spec, through the real HAProxy on loopback: the tenant's own
// certificate is the one a TLS handshake receives (its serial), a tenant without one still gets
// the local CA's, a replaced certificate is served after an apply without dropping requests,
// and one that does not cover the tenant's domain (in the spec, or added at run time) is refused
// naming the domain.
#include <algorithm>
#include <optional>

#include <fmt/format.h>
#include <httplib.h>

#include "core/file.h"
#include "core/subprocess.h"
#include "core/text.h"
#include "platform_fixture.h"
#include "security/certificate_inspection.h"
#include "security/local_ca.h"

namespace ballast::testing {
namespace {

class SuppliedTlsTest : public PlatformFixture {
 public:
  static void SetUpTestSuite() {
    use_odoo_standin_unless_set();
    https_port_ = free_port();
    certs_ = std::make_unique<TempDir>("ballast-operator-certs");
    // Issued by "the operator's CA", which Ballast knows nothing about.
    issue({"*.a.test"}, "a");
    issue({"other.test"}, "bad");
    start(spec_yaml("a"));
  }
  static void TearDownTestSuite() {
    PlatformFixture::TearDownTestSuite();
    certs_.reset();
  }

 protected:
  // Issues `name`.crt/.key for `domains`, `age` ago, valid 90 days.
  static void issue(const std::vector<std::string>& domains, const std::string& name,
                    std::chrono::hours age = std::chrono::hours(0)) {
    core::ManualClock clock(std::chrono::system_clock::now() - age);
    auto ca = security::LocalCa::open_or_create(*certs_ / "ca", "Operator CA", clock);
    ASSERT_TRUE(ca.has_value()) << ca.error().to_string();
    auto issued = ca->issue(domains, *certs_ / "issued", std::chrono::hours(24 * 90));
    ASSERT_TRUE(issued.has_value()) << issued.error().to_string();
    write_text(*certs_ / (name + ".crt"), core::read_file(issued->chain).value());
    write_text(*certs_ / (name + ".key"), core::read_file(issued->key).value());
  }

  // The spec with tenant a's tls naming the files `name`.crt and `name`.key.
  static std::string spec_yaml(const std::string& name) {
    return fmt::format(R"(platform:
  name: it
  state_dir: state
  ingress: {{base_domain: it.test, http: "127.0.0.1:{{http}}", https: "127.0.0.1:{}"}}
  api: "127.0.0.1:{{api}}"
repositories:
  - {{name: local, type: posix, path: backups}}
plans:
  - {{name: small}}
pools:
  - {{name: main}}
tenants:
  - name: a
    pool: main
    plan: small
    domains: [erp.a.test, www.a.test]
    tls: {{certificate: "{}", key: "{}"}}
  - {{name: b, pool: main, plan: small}}
)",
                       https_port_, (*certs_ / (name + ".crt")).string(),
                       (*certs_ / (name + ".key")).string());
  }

  // The spec as written, with the ports the fixture chose (taken from the running platform).
  static core::Result<spec::Spec> spec_naming(const std::string& name) {
    std::string yaml = spec_yaml(name);
    const auto& platform_spec = platform().spec();
    for (const auto& [key, port] : {std::pair<std::string, std::uint16_t>{"{http}", http_port()},
                                    {"{api}", platform_spec.platform.api.port}}) {
      for (auto at = yaml.find(key); at != std::string::npos; at = yaml.find(key))
        yaml.replace(at, key.size(), std::to_string(port));
    }
    write_text(platform_spec.file, yaml);
    return spec::load(platform_spec.file);
  }

  // The serial of the leaf HAProxy presents for `host` (SNI) in a real handshake.
  static std::string served_serial(const std::string& host) {
    core::Command command{
        .argv = {"sh", "-c",
                 fmt::format("openssl s_client -connect 127.0.0.1:{} -servername {} </dev/null "
                             "2>/dev/null | openssl x509 -noout -serial",
                             https_port_, host)}};
    auto done = core::run(command, std::chrono::seconds(30));
    if (!done.has_value()) return done.error().to_string();
    return std::string(core::trim(done->out));
  }
  static std::string file_serial(const std::string& name) {
    const auto pem = core::read_file(*certs_ / (name + ".crt")).value();
    return "serial=" + security::inspect_certificate(pem, "", {}, clock_->now()).serial_hex;
  }
  static core::Completed curl(const std::string& host, const std::filesystem::path& ca) {
    const std::string port = std::to_string(https_port_);
    core::Command command{.argv = {"curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                                   "--max-time", "30", "--cacert", ca.string(), "--resolve",
                                   host + ":" + port + ":127.0.0.1",
                                   "https://" + host + ":" + port + "/web/login"}};
    command.unset_env = {"CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"};
    return core::run(command, std::chrono::seconds(60)).value();
  }

  static std::unique_ptr<TempDir> certs_;
};

std::unique_ptr<TempDir> SuppliedTlsTest::certs_;

TEST_F(SuppliedTlsTest, TheSuppliedCertificateIsTheOneServed) {
  const std::string expected = file_serial("a");
  EXPECT_EQ(served_serial("erp.a.test"), expected);
  EXPECT_EQ(served_serial("www.a.test"), expected);
  auto verified = curl("erp.a.test", *certs_ / "ca" / "ca.crt");
  EXPECT_TRUE(verified.status.is_success()) << verified.err;
  EXPECT_EQ(verified.out, "200");
  // A tenant without tls keeps a certificate of the platform's local CA.
  EXPECT_NE(served_serial("b.it.test"), expected);
  auto local = curl("b.it.test", platform().state_dir() / "ca" / "ca.crt");
  EXPECT_TRUE(local.status.is_success()) << local.err;
}

TEST_F(SuppliedTlsTest, ServedCertificatesListEveryTenantWithItsExpiry) {
  auto served = platform().served_certificates();
  ASSERT_TRUE(served.has_value()) << served.error().to_string();
  ASSERT_EQ(served->size(), 3U);
  EXPECT_EQ((*served)[0].tenant, "");
  EXPECT_FALSE((*served)[0].is_supplied);
  const auto a = std::find_if(served->begin(), served->end(),
                              [](const app::ServedCertificate& c) { return c.tenant == "a"; });
  ASSERT_NE(a, served->end());
  EXPECT_TRUE(a->is_supplied);
  EXPECT_EQ(a->domains, std::vector<std::string>{"*.a.test"});
  EXPECT_EQ("serial=" + a->serial_hex, file_serial("a"));
  EXPECT_GT(a->not_after, clock_->now() + std::chrono::hours(24 * 89));
  EXPECT_LT(a->not_after, clock_->now() + std::chrono::hours(24 * 91));
  // The same expiry in /metrics, for the alert at 14 days.
  auto metrics = platform().metrics();
  ASSERT_TRUE(metrics.has_value()) << metrics.error().to_string();
  const std::string series = "ballast_certificate_expiry_seconds{tenant=\"a\",source=\"spec\"} ";
  const auto at = metrics->find(series);
  ASSERT_NE(at, std::string::npos) << *metrics;
  const double days = std::stod(metrics->substr(at + series.size())) / 86400;
  EXPECT_GT(days, 89);
  EXPECT_LT(days, 91);
}

TEST_F(SuppliedTlsTest, AReplacedCertificateIsServedAfterApplyWithoutDroppingRequests) {
  const std::string before = file_serial("a");
  issue({"*.a.test"}, "a");  // renewed in place, as an ACME client would
  ASSERT_NE(file_serial("a"), before);
  auto next = spec_naming("a");
  ASSERT_TRUE(next.has_value()) << next.error().to_string();
  std::optional<core::Result<reconcile::ApplyReport>> applied;
  const auto traffic = traffic_during("erp.a.test", 301, [&] {
    applied = platform().apply(&*next, reconcile::ApplyOptions{}, kActor);
  });
  ASSERT_TRUE(applied->has_value()) << applied->error().to_string();
  EXPECT_GT(traffic.answered, 0);
  EXPECT_EQ(traffic.failed, 0);
  EXPECT_EQ(served_serial("erp.a.test"), file_serial("a"));
  // Written for the component user only, like the issued ones.
  const auto served =
      std::filesystem::status(platform().state_dir() / "data" / "proxy" / "certs" / "a.pem");
  EXPECT_EQ(served.permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(SuppliedTlsTest, ACertificateNotCoveringADomainIsRefusedNamingIt) {
  const std::string before = served_serial("erp.a.test");
  auto next = spec_naming("bad");
  ASSERT_TRUE(next.has_value()) << next.error().to_string();
  auto applied = platform().apply(&*next, reconcile::ApplyOptions{}, kActor);
  ASSERT_FALSE(applied.has_value());
  EXPECT_EQ(applied.error().code(), core::ErrorCode::kSpecInvalid);
  const auto& message = applied.error().message();
  EXPECT_NE(message.find("tenants[0].tls.certificate: tenant 'a': certificate '" +
                         (*certs_ / "bad.crt").string() + "' does not cover domain 'erp.a.test'"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("does not cover domain 'www.a.test'"), std::string::npos) << message;
  // Nothing changed: the previous certificate is still served.
  EXPECT_EQ(served_serial("erp.a.test"), before);
  ASSERT_TRUE(spec_naming("a").has_value());  // the spec file as it was
}

TEST_F(SuppliedTlsTest, ADomainAddedThatTheCertificateDoesNotCoverIsRefused) {
  auto added = platform().tenant_add_domain("a", "shop.other.test", kActor);
  ASSERT_FALSE(added.has_value());
  EXPECT_NE(
      added.error().message().find("tenant 'a': certificate '" + (*certs_ / "a.crt").string() +
                                   "' does not cover domain 'shop.other.test'"),
      std::string::npos)
      << added.error().message();
  auto record = platform().catalog().tenants().get("a");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(std::count(record->domains.begin(), record->domains.end(), "shop.other.test"), 0);
  EXPECT_EQ(served_serial("erp.a.test"), file_serial("a"));
  // One the wildcard covers is served with the same certificate at once.
  auto covered = platform().tenant_add_domain("a", "shop.a.test", kActor);
  ASSERT_TRUE(covered.has_value()) << covered.error().to_string();
  EXPECT_EQ(served_serial("shop.a.test"), file_serial("a"));
}

TEST_F(SuppliedTlsTest, AnExpiredCertificateDoesNotStopTheDaemonsOwnApply) {
  const std::string before = served_serial("erp.a.test");
  issue({"*.a.test"}, "a", std::chrono::hours(24 * 100));  // expired 10 days ago
  // The daemon's apply of the spec it runs (as at start-up) goes on; the proxy keeps its copy.
  auto applied = platform().apply(nullptr, reconcile::ApplyOptions{}, kActor);
  ASSERT_TRUE(applied.has_value()) << applied.error().to_string();
  EXPECT_EQ(served_serial("erp.a.test"), before);
  EXPECT_EQ(served_serial("b.it.test").rfind("serial=", 0), 0U);
  auto events = platform().catalog().events().list("", 100);
  ASSERT_TRUE(events.has_value());
  const bool is_recorded = std::any_of(events->begin(), events->end(), [](const auto& e) {
    return e.reason == "CertificateRefused" &&
           e.message.find("tenant 'a': certificate") != std::string::npos &&
           e.message.find("expired on ") != std::string::npos;
  });
  EXPECT_TRUE(is_recorded);
  // A new spec naming it is refused outright.
  auto next = spec_naming("a");
  ASSERT_TRUE(next.has_value());
  auto refused = platform().apply(&*next, reconcile::ApplyOptions{}, kActor);
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message().find("expired on "), std::string::npos);
}

}  // namespace
}  // namespace ballast::testing
