// The HTTP server under hostile clients: oversized bodies (413), slow clients (timeout),
// encoded traversal and header injection in paths (4xx), unknown routes (404) — every refusal
// as a JSON error from the error table.
#include "api/server.h"

#include <chrono>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ballast::api {
namespace {

std::vector<Route> table() {
  return {Route{"POST", "/api/v1/tenants/{name}/echo", "echo", "echo a body",
                security::Permission::kOperate, "name", nlohmann::json{{"type", "object"}},
                [](const Request& r) -> core::Result<Response> {
                  return Response::json({{"name", r.params.at("name")}, {"body", r.body}});
                }}};
}

Gate admin_gate() {
  Gate gate;
  gate.authenticate = [](std::string_view token) -> core::Result<security::Principal> {
    if (token == "good") return security::Principal{"token:t", security::Role::kPlatformAdmin, {}};
    return core::Error(core::ErrorCode::kUnauthenticated, "the bearer token is not valid");
  };
  return gate;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerLimits limits;
    limits.max_body_bytes = 4096;
    limits.read_timeout_seconds = 1;
    limits.threads = 2;
    server_ = std::make_unique<Server>(table(), admin_gate(), limits);
    ASSERT_TRUE(server_->start(spec::HostPort{"127.0.0.1", 0}).has_value());
  }
  httplib::Result post(const std::string& path, const std::string& body,
                       const std::string& token = "good") {
    httplib::Client client("127.0.0.1", server_->port());
    return client.Post(path, {{"Authorization", "Bearer " + token}}, body, "application/json");
  }
  static std::string code_of(const httplib::Result& r) {
    auto json = nlohmann::json::parse(r->body, nullptr, false);
    return json.is_object() ? json["error"].value("code", "") : "not json: " + r->body;
  }
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, ServesAndAnswersErrorsAsJson) {
  auto ok = post("/api/v1/tenants/acme/echo", R"({"a": 1})");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_FALSE(ok->get_header_value("X-Request-Id").empty());
  auto anonymous = post("/api/v1/tenants/acme/echo", "{}", "bad");
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(code_of(anonymous), "unauthenticated");
  auto missing = post("/api/v1/nothing", "{}");
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(code_of(missing), "not_found");
}

TEST_F(ServerTest, RefusesBodiesOverTheLimit) {
  auto big = post("/api/v1/tenants/acme/echo", "{\"a\": \"" + std::string(8192, 'x') + "\"}");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(code_of(big), "payload_too_large");
}

TEST_F(ServerTest, RefusesEncodedTraversalAndHeaderInjection) {
  for (const std::string path :
       {"/api/v1/tenants/%2e%2e/echo", "/api/v1/tenants/a%0d%0aX:%201/echo",
        "/api/v1/tenants/a%00b/echo", "/api/v1/tenants/a%27%3B--/echo"}) {
    auto r = post(path, "{}");
    ASSERT_TRUE(r) << path;
    EXPECT_GE(r->status, 400) << path;
    EXPECT_LT(r->status, 500) << path;
    EXPECT_EQ(r->get_header_value("X"), "") << path;
    EXPECT_NE(code_of(r).rfind("not json", 0), 0U) << path << " " << r->body;
  }
  auto slash = post("/api/v1/tenants/a%2Fb/echo", "{}");
  EXPECT_EQ(slash->status, 404);  // the decoded '/' no longer fits the route
}

TEST_F(ServerTest, DropsClientsThatStallMidRequest) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(server_->port()));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const std::string partial = "POST /api/v1/tenants/acme/echo HTTP/1.1\r\nHost: x\r\n";
  ASSERT_EQ(::send(fd, partial.data(), partial.size(), 0), static_cast<ssize_t>(partial.size()));
  const auto started = std::chrono::steady_clock::now();
  char buffer[512];
  const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);  // blocks until the server gives up
  const auto waited = std::chrono::steady_clock::now() - started;
  ::close(fd);
  EXPECT_LE(n, static_cast<ssize_t>(sizeof buffer));
  EXPECT_LT(waited, std::chrono::seconds(5));
}

}  // namespace
}  // namespace ballast::api
