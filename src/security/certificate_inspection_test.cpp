// Certificate inspection and the spec's supplied certificates, with certificates issued in the
// test by a local CA whose clock is moved (expired, not yet valid, expiring soon).
#include "security/certificate_inspection.h"

#include <gtest/gtest.h>

#include "core/crypto.h"
#include "core/file.h"
#include "security/local_ca.h"
#include "security/supplied_certificates.h"
#include "spec/loader.h"

namespace ballast::security {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;

struct Pem {
  std::string chain;
  std::string key;
};

class CertificateInspectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("ballast-inspect-" + core::hex_encode(core::random_bytes(4)));
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A certificate for `domains` issued `age` ago, valid for `validity`.
  Pem issue(const std::vector<std::string>& domains, hours validity, hours age = hours(0)) {
    core::ManualClock clock(now_ - age);
    auto ca = LocalCa::open_or_create(dir_ / "ca", "test CA", clock);
    EXPECT_TRUE(ca.has_value());
    auto issued = ca->issue(domains, dir_ / ("issued-" + std::to_string(count_++)), validity);
    EXPECT_TRUE(issued.has_value()) << issued.error().to_string();
    return {core::read_file(issued->chain).value(), core::read_file(issued->key).value()};
  }

  static std::vector<std::string> messages(const CertificateInspection& inspection) {
    std::vector<std::string> out;
    for (const auto& p : inspection.problems) out.push_back(p.message);
    return out;
  }

  core::SystemTime now_ = std::chrono::system_clock::now();
  fs::path dir_;
  int count_ = 0;
};

TEST(CertificateNames, WildcardsCoverExactlyOneLabel) {
  EXPECT_TRUE(covers("erp.acme.example", "ERP.acme.example"));
  EXPECT_TRUE(covers("*.acme.example", "erp.acme.example"));
  EXPECT_FALSE(covers("*.acme.example", "acme.example"));
  EXPECT_FALSE(covers("*.acme.example", "a.b.acme.example"));
  EXPECT_FALSE(covers("*.acme.example", "erp.acme.example.evil"));
  EXPECT_FALSE(covers("erp.acme.example", "www.acme.example"));
}

TEST_F(CertificateInspectionTest, AGoodPairHasNoProblemsAndTellsItsNamesAndDates) {
  const auto pem = issue({"erp.acme.example", "*.acme.example"}, hours(24 * 90));
  const auto found =
      inspect_certificate(pem.chain, pem.key, {"erp.acme.example", "www.acme.example"}, now_);
  EXPECT_TRUE(found.problems.empty()) << testing::PrintToString(messages(found));
  EXPECT_EQ(found.dns_names, (std::vector<std::string>{"erp.acme.example", "*.acme.example"}));
  EXPECT_EQ(found.subject, "CN=erp.acme.example");
  EXPECT_EQ(found.chain_length, 2U);
  EXPECT_EQ(found.serial_hex.size(), 32U);
  EXPECT_LT(found.not_after - now_, hours(24 * 90 + 1));
  EXPECT_GT(found.not_after - now_, hours(24 * 90 - 1));
}

TEST_F(CertificateInspectionTest, ADomainOutsideTheNamesIsNamed) {
  const auto pem = issue({"*.acme.example"}, hours(24 * 90));
  const auto found =
      inspect_certificate(pem.chain, pem.key, {"acme.example", "a.b.acme.example"}, now_);
  ASSERT_EQ(found.problems.size(), 2U);
  EXPECT_TRUE(found.has_errors());
  EXPECT_EQ(found.problems[0].message.rfind("does not cover domain 'acme.example' (it names "
                                            "'*.acme.example')",
                                            0),
            0U)
      << found.problems[0].message;
  EXPECT_NE(found.problems[1].message.find("'a.b.acme.example'"), std::string::npos);
}

TEST_F(CertificateInspectionTest, AKeyOfAnotherCertificateIsRefused) {
  const auto one = issue({"erp.acme.example"}, hours(24 * 90));
  const auto other = issue({"erp.acme.example"}, hours(24 * 90));
  const auto found = inspect_certificate(one.chain, other.key, {}, now_);
  ASSERT_EQ(found.problems.size(), 1U);
  EXPECT_EQ(found.problems[0].file, CertificateProblem::File::kKey);
  EXPECT_EQ(found.problems[0].message.rfind("does not match the certificate", 0), 0U);
}

TEST_F(CertificateInspectionTest, NotPemIsRefusedForEitherFile) {
  const auto pem = issue({"erp.acme.example"}, hours(24 * 90));
  auto found = inspect_certificate("hello", pem.key, {"erp.acme.example"}, now_);
  ASSERT_EQ(found.problems.size(), 1U);
  EXPECT_EQ(found.problems[0].message.rfind("is not a PEM certificate", 0), 0U);
  found = inspect_certificate(pem.chain, pem.chain, {}, now_);  // a certificate as the key
  ASSERT_EQ(found.problems.size(), 1U);
  EXPECT_EQ(found.problems[0].file, CertificateProblem::File::kKey);
  EXPECT_EQ(found.problems[0].message.rfind("is not an unencrypted PEM private key", 0), 0U);
  EXPECT_EQ(found.problems[0].message.find("PRIVATE"), std::string::npos);
}

TEST_F(CertificateInspectionTest, DatesOutsideTheValidityAreErrorsAndSoonIsAWarning) {
  const auto expired = issue({"erp.acme.example"}, hours(24 * 30), hours(24 * 60));
  auto found = inspect_certificate(expired.chain, expired.key, {}, now_);
  ASSERT_EQ(found.problems.size(), 1U);
  EXPECT_EQ(found.problems[0].message.rfind("expired on ", 0), 0U);
  EXPECT_TRUE(found.has_errors());

  const auto future = issue({"erp.acme.example"}, hours(24 * 30), hours(-24 * 2));
  found = inspect_certificate(future.chain, future.key, {}, now_);
  ASSERT_EQ(found.problems.size(), 1U);
  EXPECT_EQ(found.problems[0].message.rfind("is not valid before ", 0), 0U);

  const auto soon = issue({"erp.acme.example"}, hours(24 * 10));
  found = inspect_certificate(soon.chain, soon.key, {}, now_);
  ASSERT_EQ(found.problems.size(), 1U);
  EXPECT_TRUE(found.problems[0].is_warning);
  EXPECT_FALSE(found.has_errors());
  EXPECT_NE(found.problems[0].message.find("(in 10 days)"), std::string::npos)
      << found.problems[0].message;
}

class SuppliedCertificatesTest : public CertificateInspectionTest {
 protected:
  spec::Spec load(const std::string& tenant_tls) {
    const std::string text =
        "platform:\n  name: p\n  ingress: {base_domain: example.test, https: "
        "\"127.0.0.1:8443\"}\nplans: [{name: small}]\npools: [{name: main}]\ntenants:\n"
        "  - name: acme\n    pool: main\n    plan: small\n    domains: [erp.acme.example]\n" +
        tenant_tls;
    auto spec = spec::parse(text, dir_ / "ballast.yaml");
    EXPECT_TRUE(spec.has_value()) << spec.error().to_string();
    return *spec;
  }
  void write(const std::string& name, const std::string& text) {
    ASSERT_TRUE(core::write_file_atomic(dir_ / name, text, 0600).has_value());
  }
  static constexpr const char* kTls = "    tls: {certificate: acme.crt, key: acme.key}\n";
};

TEST_F(SuppliedCertificatesTest, AGoodPairIsServedAsTheChainThenTheKey) {
  const auto pem = issue({"erp.acme.example"}, hours(24 * 90));
  write("acme.crt", pem.chain);
  write("acme.key", pem.key);
  const auto spec = load(kTls);
  EXPECT_TRUE(check_supplied_certificates(spec, now_).errors.empty());
  auto loaded = load_supplied_certificate(spec, "acme", {"erp.acme.example"}, now_);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().to_string();
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((*loaded)->reveal(), pem.chain + pem.key);
  auto none = load_supplied_certificate(spec, "other", {"x.example.test"}, now_);
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());
}

TEST_F(SuppliedCertificatesTest, ErrorsNameTheTenantTheFileAndTheProblem) {
  const auto pem = issue({"www.acme.example"}, hours(24 * 90));
  write("acme.crt", pem.chain);
  const auto spec = load(kTls);
  auto report = check_supplied_certificates(spec, now_);
  ASSERT_EQ(report.errors.size(), 1U);
  EXPECT_EQ(report.errors[0].path, "tenants[0].tls.key");
  EXPECT_EQ(report.errors[0].line, 11);
  EXPECT_EQ(report.errors[0].message.rfind("tenant 'acme': key 'acme.key' does not exist (", 0), 0U)
      << report.errors[0].message;

  write("acme.key", pem.key);
  report = check_supplied_certificates(spec, now_);
  ASSERT_EQ(report.errors.size(), 1U);
  EXPECT_EQ(report.errors[0].path, "tenants[0].tls.certificate");
  EXPECT_EQ(report.errors[0].message.rfind("tenant 'acme': certificate 'acme.crt' does not cover "
                                           "domain 'erp.acme.example'",
                                           0),
            0U)
      << report.errors[0].message;
  auto loaded = load_supplied_certificate(spec, "acme", {"erp.acme.example"}, now_);
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().code(), core::ErrorCode::kSpecInvalid);
  EXPECT_NE(loaded.error().message().find("does not cover domain 'erp.acme.example'"),
            std::string::npos);
  EXPECT_EQ(loaded.error().message().find("PRIVATE KEY"), std::string::npos);
}

TEST_F(SuppliedCertificatesTest, ExpiringSoonIsAWarningOnly) {
  const auto pem = issue({"erp.acme.example"}, hours(24 * 5));
  write("acme.crt", pem.chain);
  write("acme.key", pem.key);
  const auto report = check_supplied_certificates(load(kTls), now_);
  EXPECT_TRUE(report.errors.empty());
  ASSERT_EQ(report.warnings.size(), 1U);
  EXPECT_NE(report.warnings[0].message.find("tenant 'acme': certificate 'acme.crt' expires on "),
            std::string::npos);
}

}  // namespace
}  // namespace ballast::security
