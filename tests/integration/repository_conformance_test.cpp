// The repository conformance suite: every driver (posix, s3 against s3rver) must pass it.
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include "backup/repository/posix/posix_repository.h"
#include "backup/repository/s3/s3_repository.h"
#include "core/crypto.h"
#include "harness/harness.h"
#include "harness/s3_server.h"

namespace ballast::testing {
namespace {

using backup::Repository;

struct Driver {
  const char* name;
  std::function<std::unique_ptr<Repository>()> make;
  // Replaces an object's bytes behind the repository's back, as damage on disk would.
  std::function<void(Repository&, const std::string& key, const std::string& bytes)> tamper;
};

TempDir& posix_dir() {
  static TempDir dir("ballast-repo");
  return dir;
}

S3Server& s3_server() {
  static S3Server server;
  return server;
}

std::unique_ptr<backup::S3Repository> s3_repository(std::size_t part_size = 5UL << 20) {
  backup::s3::ClientConfig config{s3_server().endpoint(), "us-east-1", "s3", core::Secret("S3RVER"),
                                  core::Secret("S3RVER")};
  config.attempts = 2;
  config.timeout = std::chrono::seconds(20);
  return std::make_unique<backup::S3Repository>(
      config, backup::S3Location{s3_server().bucket(), "conformance/", part_size});
}

class Conformance : public ::testing::TestWithParam<Driver> {
 protected:
  void SetUp() override {
    if (std::string(GetParam().name) == "s3") {
      ASSERT_TRUE(s3_server().is_running()) << s3_server().error();
    }
    repo_ = GetParam().make();
    prefix_ = "t" + core::hex_encode(core::random_bytes(4)) + "/";
  }
  std::unique_ptr<Repository> repo_;
  std::string prefix_;
};

TEST_P(Conformance, PutGetListDelete) {
  ASSERT_TRUE(backup::put(*repo_, prefix_ + "a/one", "first").has_value());
  ASSERT_TRUE(backup::put(*repo_, prefix_ + "a/two", std::string(1000, 'x')).has_value());
  EXPECT_EQ(backup::get(*repo_, prefix_ + "a/one").value(), "first");
  auto listed = repo_->list(prefix_).value();
  ASSERT_EQ(listed.size(), 2U);
  EXPECT_EQ(listed[0].key, prefix_ + "a/one");
  EXPECT_EQ(listed[1].size, 1000U);
  EXPECT_EQ(listed[0].sha256, core::sha256_hex("first"));
  ASSERT_TRUE(repo_->remove(prefix_ + "a/one").has_value());
  EXPECT_EQ(repo_->list(prefix_).value().size(), 1U);
}

TEST_P(Conformance, MissingKeyIsNotFound) {
  EXPECT_EQ(repo_->open(prefix_ + "nope").error().code(), core::ErrorCode::kNotFound);
  EXPECT_EQ(repo_->stat(prefix_ + "nope").error().code(), core::ErrorCode::kNotFound);
  EXPECT_EQ(repo_->create("../escape").error().code(), core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(repo_->create("/abs").error().code(), core::ErrorCode::kInvalidArgument);
}

TEST_P(Conformance, InterruptedWriteLeavesNothingVisible) {
  {
    auto writer = repo_->create(prefix_ + "partial").value();
    ASSERT_TRUE(writer->write("half of it").has_value());
  }  // dropped before commit
  EXPECT_TRUE(repo_->list(prefix_).value().empty());
  EXPECT_EQ(repo_->stat(prefix_ + "partial").error().code(), core::ErrorCode::kNotFound);
}

TEST_P(Conformance, LargeObjectsStreamInParts) {
  const std::string chunk = core::random_bytes(1 << 20);
  auto writer = repo_->create(prefix_ + "big").value();
  core::Sha256 expected;
  for (int i = 0; i < 12; ++i) {  // 12 MiB: several parts on s3
    ASSERT_TRUE(writer->write(chunk).has_value());
    expected.update(chunk);
  }
  auto info = writer->commit();
  ASSERT_TRUE(info.has_value()) << info.error().to_string();
  EXPECT_EQ(info->size, 12U << 20);
  auto data = backup::get(*repo_, prefix_ + "big", 64UL << 20);
  ASSERT_TRUE(data.has_value()) << data.error().to_string();
  EXPECT_EQ(core::sha256_hex(*data), expected.finish());
}

TEST_P(Conformance, RetainedObjectsCannotBeRemoved) {
  backup::PutOptions options;
  options.retain_until = std::chrono::system_clock::now() + std::chrono::hours(24);
  ASSERT_TRUE(backup::put(*repo_, prefix_ + "locked", "keep", options).has_value());
  auto removed = repo_->remove(prefix_ + "locked");
  ASSERT_FALSE(removed.has_value());
  EXPECT_EQ(removed.error().code(), core::ErrorCode::kLocked);
}

TEST_P(Conformance, ChangedBytesAreCorrupt) {
  ASSERT_TRUE(backup::put(*repo_, prefix_ + "victim", "original bytes").has_value());
  GetParam().tamper(*repo_, prefix_ + "victim", "Original bytes");
  auto read = backup::get(*repo_, prefix_ + "victim");
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().code(), core::ErrorCode::kCorrupt);
  EXPECT_NE(read.error().message().find(prefix_ + "victim"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Drivers, Conformance,
    ::testing::Values(
        Driver{"posix",
               [] {
                 return std::unique_ptr<Repository>(
                     backup::PosixRepository::open_root(posix_dir() / "repo").value());
               },
               [](Repository&, const std::string& key, const std::string& bytes) {
                 write_text(posix_dir() / "repo" / key, bytes);
               }},
        Driver{"s3", [] { return std::unique_ptr<Repository>(s3_repository()); },
               [](Repository& repo, const std::string& key, const std::string& bytes) {
                 auto& s3 = dynamic_cast<backup::S3Repository&>(repo);
                 (void)s3.client().send({"PUT", s3.path_of(key), "", {}, bytes});
               }}),
    [](const auto& test) { return std::string(test.param.name); });

TEST(S3Driver, UnreachableStoreMidUploadFailsCleanly) {
  ASSERT_TRUE(s3_server().is_running()) << s3_server().error();
  auto repo = s3_repository(5UL << 20);
  const std::string key = "unreachable/" + core::hex_encode(core::random_bytes(4));
  auto writer = repo->create(key, {}).value();
  ASSERT_TRUE(writer->write(core::random_bytes(6 << 20)).has_value());  // one part sent
  s3_server().stop();
  auto more = writer->write(core::random_bytes(6 << 20));
  auto committed = more.has_value() ? writer->commit().transform([](auto) { return 0; })
                                    : core::Result<int>(more.error());
  ASSERT_FALSE(committed.has_value());
  EXPECT_EQ(committed.error().code(), core::ErrorCode::kUnavailable);
  EXPECT_NE(committed.error().message().find("not reachable"), std::string::npos);
  writer.reset();
  ASSERT_TRUE(s3_server().start());
  EXPECT_EQ(repo->stat(key).error().code(), core::ErrorCode::kNotFound);
}

// s3rver does not check signatures, so ours are checked against AWS's published example
// ("Signature Calculations for the Authorization Header: Transferring Payload in a Single
// Chunk", GET Object): the request goes to a local server that records what curl sent.
TEST(S3Signing, MatchesAwsPublishedExample) {
  httplib::Server server;
  std::string authorization;
  server.Get("/test.txt", [&](const httplib::Request& req, httplib::Response& res) {
    authorization = req.get_header_value("Authorization");
    res.set_content("0123456789", "text/plain");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread thread([&] { server.listen_after_bind(); });
  backup::s3::ClientConfig config{"http://examplebucket.s3.amazonaws.com", "us-east-1", "s3",
                                  core::Secret("AKIAIOSFODNN7EXAMPLE"),
                                  core::Secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")};
  config.attempts = 1;
  config.connect_to = {"examplebucket.s3.amazonaws.com:80:127.0.0.1:" + std::to_string(port)};
  backup::s3::Client client(config);
  auto r = client.send(
      {"GET", "/test.txt", "", {{"range", "bytes=0-9"}, {"x-amz-date", "20130524T000000Z"}}, ""});
  server.stop();
  thread.join();
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

// A posix repository shares its root with pgBackRest's repository, which the component user
// traverses: opening it must not take that away (it did, and pgBackRest failed with EACCES).
TEST(PosixRepositoryTest, OpeningAnExistingRootKeepsItsMode) {
  TempDir dir("ballast-posix-root");
  const auto root = dir / "shared";
  ASSERT_TRUE(backup::PosixRepository::open_root(root).has_value());
  struct stat st {};
  ASSERT_EQ(::stat(root.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700U) << "a new root is private";
  ASSERT_EQ(::chmod(root.c_str(), 0711), 0);
  ASSERT_TRUE(backup::PosixRepository::open_root(root).has_value());
  ASSERT_EQ(::stat(root.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0711U);
  write_text(dir / "file", "x");
  EXPECT_FALSE(backup::PosixRepository::open_root(dir / "file").has_value());
}

}  // namespace
}  // namespace ballast::testing
