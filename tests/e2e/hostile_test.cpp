// Hostile requests against a running daemon (the corpus in tests/hostile/, plus oversized and
// deeply nested bodies and a request flood): each gets a 4xx JSON error, nothing changes, and
// the audit chain only gains the refusals Ballast chooses to record.
#include <atomic>
#include <thread>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include "core/text.h"
#include "harness/harness.h"

namespace ballast::testing {
namespace {

using Json = nlohmann::json;

// Sends `request` as raw bytes and returns the status code of the answer (-1: none).
int send_raw(std::uint16_t port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  timeval timeout{15, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  (void)!::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string answer;
  char buffer[4096];
  ssize_t n = 0;
  while (answer.find("\r\n") == std::string::npos &&
         (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0) {
    answer.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (answer.rfind("HTTP/1.1 ", 0) != 0) return -1;
  return std::atoi(answer.c_str() + 9);
}

// A corpus file: "# comment" lines, then the request head, a blank line and the body. Lines
// end in CRLF on the wire; {{token}} is the admin token, {{length}} the body's length.
std::string render(const std::string& file_text, const std::string& token) {
  std::string head;
  std::string body;
  const auto split_at = file_text.find("\n\n");
  const std::string head_text = file_text.substr(0, split_at);
  if (split_at != std::string::npos) body = file_text.substr(split_at + 2);
  for (const auto& line : core::split(head_text, '\n')) {
    if (line.rfind("#", 0) == 0 || line.empty()) continue;
    head += line + "\r\n";
  }
  auto replace_all = [](std::string text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
      text.replace(at, from.size(), to);
    return text;
  };
  head = replace_all(head, "{{token}}", token);
  head = replace_all(head, "{{length}}", std::to_string(body.size()));
  return head + "\r\n" + body;
}

class HostileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_port_ = free_port();
    write_text(dir_ / "ballast.yaml",
               fmt::format("platform:\n  name: hostile\n  state_dir: state\n  ingress: "
                           "{{base_domain: h.test, http: \"127.0.0.1:{}\"}}\n  api: "
                           "\"127.0.0.1:{}\"\nplans: [{{name: small}}]\n",
                           free_port(), api_port_));
    ASSERT_EQ(run_ballast({"up", "--detach"}, dir_.path()).exit_code, 0);
    token_ = std::string(core::trim(read_text(dir_ / "state" / "api.token")));
  }
  void TearDown() override { run_ballast({"down"}, dir_.path()); }
  Json get(const std::string& path) {
    httplib::Client client("127.0.0.1", api_port_);
    auto r = client.Get(path, {{"Authorization", "Bearer " + token_}});
    return r ? Json::parse(r->body, nullptr, false) : Json();
  }

  TempDir dir_;
  std::uint16_t api_port_ = 0;
  std::string token_;
};

TEST_F(HostileTest, EveryHostileRequestGetsA4xxAndChangesNothing) {
  const Json tenants_before = get("/api/v1/tenants");
  const Json tokens_before = get("/api/v1/tokens");
  const auto rows_before = get("/api/v1/audit")["entries"].size();
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(source_dir() / "tests" / "hostile")) {
    if (entry.path().extension() != ".http") continue;
    ++files;
    const int status = send_raw(api_port_, render(read_text(entry.path()), token_));
    EXPECT_GE(status, 400) << entry.path().filename();
    EXPECT_LT(status, 500) << entry.path().filename();
  }
  EXPECT_GE(files, 20U);
  const std::string deep = std::string(5000, '[') + std::string(5000, ']');
  const std::string huge(2 * 1024 * 1024, 'x');
  for (const auto& body : {deep, huge}) {
    const std::string request =
        "POST /api/v1/tenants HTTP/1.1\r\nHost: x\r\nAuthorization: "
        "Bearer " +
        token_ +
        "\r\nContent-Type: application/json\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    const int status = send_raw(api_port_, request);
    EXPECT_TRUE(status == 400 || status == 413) << status;
  }
  EXPECT_EQ(get("/api/v1/tenants"), tenants_before);
  EXPECT_EQ(get("/api/v1/tokens")["tokens"].size(), tokens_before["tokens"].size());
  const auto rows = get("/api/v1/audit")["entries"];
  for (std::size_t i = rows_before; i < rows.size(); ++i) {
    EXPECT_NE(rows[i]["outcome"], "ok") << rows[i].dump();  // refusals only
  }
  EXPECT_TRUE(get("/api/v1/audit/verify")["intact"].get<bool>());
}

TEST_F(HostileTest, AFloodFromOneTokenIsRateLimited) {
  std::atomic<int> limited{0};
  std::atomic<int> answered{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&] {
      httplib::Client client("127.0.0.1", api_port_);
      for (int i = 0; i < 200 && limited == 0; ++i) {
        auto r = client.Get("/api/v1/self", {{"Authorization", "Bearer " + token_}});
        if (!r) continue;
        ++answered;
        if (r->status == 429 && limited++ == 0) {
          EXPECT_EQ(Json::parse(r->body)["error"]["code"], "rate_limited");
          EXPECT_FALSE(r->get_header_value("Retry-After").empty());
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_GE(limited, 1) << answered << " requests answered";
  // The budget refills within a second.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto other =
      run_ballast({"token", "create", "--role", "auditor", "--output", "json"}, dir_.path());
  EXPECT_EQ(other.exit_code, 0) << other.err;
}

}  // namespace
}  // namespace ballast::testing
