#include "runtime/local/mail_catcher.h"

#include <chrono>
#include <condition_variable>
#include <thread>

#include <gtest/gtest.h>

#include "catalog/component_store.h"
#include "core/subprocess.h"

namespace ballast::runtime::local {
namespace {

using namespace std::chrono_literals;

// What the catcher delivered, per tenant, waited for from the test thread.
class Inbox {
 public:
  MailCatcher::Deliver sink() {
    return [this](const std::string& tenant, SmtpMessage message) {
      std::lock_guard lock(mutex_);
      received_.emplace_back(tenant, std::move(message));
      arrived_.notify_all();
    };
  }
  std::vector<std::pair<std::string, SmtpMessage>> wait_for(std::size_t count) {
    std::unique_lock lock(mutex_);
    arrived_.wait_for(lock, 20s, [&] { return received_.size() >= count; });
    return received_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<std::pair<std::string, SmtpMessage>> received_;
};

// Python's smtplib is the client Odoo itself uses.
core::Status send_with_smtplib(std::uint16_t port, const std::string& subject) {
  const std::string script = R"(
import smtplib, sys
from email.message import EmailMessage
m = EmailMessage()
m["From"] = "Acme <odoo@acme.example>"
m["To"] = "customer@example.com"
m["Subject"] = sys.argv[2]
m.set_content("Your invoice is attached.\n.\nA line that is only a dot, above.")
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10) as s:
    s.send_message(m, to_addrs=["customer@example.com", "accounting@example.com"])
)";
  core::Command command{.argv = {"python3", "-c", script, std::to_string(port), subject}};
  auto done = core::run_checked(command, 30s);
  if (!done.has_value()) return done.error();
  return core::ok();
}

TEST(MailCatcher, KeepsMailFromARealSmtpClientUnderTheTenantOfThePort) {
  Inbox inbox;
  MailCatcher catcher(inbox.sink());
  const auto staging = catalog::free_loopback_port().value();
  const auto dev = catalog::free_loopback_port().value();
  ASSERT_TRUE(catcher.listen("acme-staging", staging).has_value());
  ASSERT_TRUE(catcher.listen("acme-dev", dev).has_value());
  ASSERT_TRUE(catcher.listen("acme-dev", dev).has_value()) << "listening again is a no-op";

  auto sent = send_with_smtplib(staging, "Invoice INV/2026/0007");
  ASSERT_TRUE(sent.has_value()) << sent.error().to_string();
  sent = send_with_smtplib(dev, "Password reset");
  ASSERT_TRUE(sent.has_value()) << sent.error().to_string();

  auto got = inbox.wait_for(2);
  ASSERT_EQ(got.size(), 2U);
  EXPECT_EQ(got[0].first, "acme-staging");
  EXPECT_EQ(got[0].second.mail_from, "odoo@acme.example");
  EXPECT_EQ(got[0].second.recipients,
            (std::vector<std::string>{"customer@example.com", "accounting@example.com"}));
  EXPECT_EQ(SmtpSession::subject_of(got[0].second.data), "Invoice INV/2026/0007");
  EXPECT_NE(got[0].second.data.find("\r\n.\r\nA line that is only a dot"), std::string::npos)
      << "the dot line survives stuffing and unstuffing";
  EXPECT_EQ(got[1].first, "acme-dev");
  EXPECT_EQ(SmtpSession::subject_of(got[1].second.data), "Password reset");
}

TEST(MailCatcher, AClosedTenantNoLongerReceives) {
  Inbox inbox;
  MailCatcher catcher(inbox.sink());
  const auto port = catalog::free_loopback_port().value();
  ASSERT_TRUE(catcher.listen("acme-staging", port).has_value());
  EXPECT_EQ(catcher.port_of("acme-staging"), port);
  catcher.close("acme-staging");
  EXPECT_FALSE(catcher.port_of("acme-staging").has_value());
  // The loop drops the socket on its next turn; give it that turn.
  bool refused = false;
  for (int i = 0; i < 50 && !refused; ++i) {
    refused = !send_with_smtplib(port, "after close").has_value();
    if (!refused) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(refused);
}

TEST(MailCatcher, APortAlreadyTakenIsNamed) {
  Inbox inbox;
  MailCatcher first(inbox.sink());
  MailCatcher second(inbox.sink());
  const auto port = catalog::free_loopback_port().value();
  ASSERT_TRUE(first.listen("acme-staging", port).has_value());
  auto taken = second.listen("globex-dev", port);
  ASSERT_FALSE(taken.has_value());
  EXPECT_EQ(taken.error().code(), core::ErrorCode::kUnavailable);
  EXPECT_NE(taken.error().message().find("127.0.0.1:" + std::to_string(port)), std::string::npos);
  EXPECT_NE(taken.error().message().find("globex-dev"), std::string::npos);
}

TEST(MailCatcher, AClientThatSendsGarbageIsAnsweredAndCannotStopOthers) {
  Inbox inbox;
  MailCatcher catcher(inbox.sink());
  const auto port = catalog::free_loopback_port().value();
  ASSERT_TRUE(catcher.listen("acme-staging", port).has_value());
  // A hostile client: a line far beyond any limit, never ended.
  const std::string script =
      "import socket,sys\n"
      "s=socket.create_connection(('127.0.0.1',int(sys.argv[1])))\n"
      "s.recv(200)\n"
      "try:\n"
      "  s.sendall(b'X'*200000)\n"
      "except OSError:\n"
      "  pass\n"
      "try:\n"
      "  print(s.recv(200).decode() or 'closed')\n"
      "except OSError:\n"
      "  print('reset')\n";
  auto hostile = core::run_checked(
      core::Command{.argv = {"python3", "-c", script, std::to_string(port)}}, 30s);
  ASSERT_TRUE(hostile.has_value()) << hostile.error().to_string();
  // The catcher answers 500 and hangs up; the reply can be lost to the reset that closing a
  // socket with unread input sends, so any of the three ends will do.
  EXPECT_TRUE(hostile->out.find("500 line too long") != std::string::npos ||
              hostile->out.find("closed") != std::string::npos ||
              hostile->out.find("reset") != std::string::npos)
      << hostile->out;
  auto sent = send_with_smtplib(port, "still served");
  ASSERT_TRUE(sent.has_value()) << sent.error().to_string();
  EXPECT_EQ(inbox.wait_for(1).size(), 1U);
}

}  // namespace
}  // namespace ballast::runtime::local
