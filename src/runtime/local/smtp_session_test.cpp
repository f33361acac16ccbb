#include "runtime/local/smtp_session.h"

#include <gtest/gtest.h>

namespace ballast::runtime::local {
namespace {

// Sends lines and returns the replies joined.
std::string say(SmtpSession& s, std::initializer_list<std::string_view> lines) {
  std::string replies;
  for (auto line : lines) replies += s.on_line(line);
  return replies;
}

TEST(SmtpSession, KeepsAMessageWithItsEnvelopeAndUnstuffsDots) {
  SmtpSession s("catcher", 1024);
  EXPECT_EQ(s.greeting().substr(0, 4), "220 ");
  EXPECT_NE(say(s, {"EHLO odoo"}).find("250 PIPELINING"), std::string::npos);
  EXPECT_EQ(say(s, {"MAIL FROM:<odoo@acme.example> SIZE=120 BODY=8BITMIME"}), "250 ok\r\n");
  EXPECT_EQ(say(s, {"RCPT TO:<customer@example.com>", "rcpt to: <boss@example.com>"}),
            "250 ok\r\n250 ok\r\n");
  EXPECT_EQ(say(s, {"DATA"}).substr(0, 4), "354 ");
  EXPECT_EQ(say(s, {"Subject: Invoice", " INV/2026/0001", "", "Hello", "..dot line", "."}),
            "250 kept\r\n");
  auto messages = s.take_messages();
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0].mail_from, "odoo@acme.example");
  EXPECT_EQ(messages[0].recipients,
            (std::vector<std::string>{"customer@example.com", "boss@example.com"}));
  EXPECT_EQ(messages[0].data, "Subject: Invoice\r\n INV/2026/0001\r\n\r\nHello\r\n.dot line\r\n");
  EXPECT_EQ(SmtpSession::subject_of(messages[0].data), "Invoice INV/2026/0001");
  EXPECT_TRUE(s.take_messages().empty());

  // A second transaction on the same connection, then QUIT.
  say(s, {"MAIL FROM:<>", "RCPT TO:<a@b.example>", "DATA", "x", "."});
  EXPECT_EQ(s.take_messages().at(0).mail_from, "") << "the null sender of a bounce";
  EXPECT_EQ(say(s, {"QUIT"}), "221 bye\r\n");
  EXPECT_TRUE(s.is_closed());
}

TEST(SmtpSession, RefusesCommandsOutOfOrder) {
  SmtpSession s("catcher", 1024);
  EXPECT_EQ(say(s, {"MAIL FROM:<a@b>"}).substr(0, 4), "503 ");
  say(s, {"HELO odoo"});
  EXPECT_EQ(say(s, {"RCPT TO:<a@b>"}).substr(0, 4), "503 ");
  EXPECT_EQ(say(s, {"DATA"}).substr(0, 4), "503 ");
  EXPECT_EQ(say(s, {"MAIL <a@b>"}).substr(0, 4), "501 ");
  say(s, {"MAIL FROM:<a@b>"});
  EXPECT_EQ(say(s, {"MAIL FROM:<c@d>"}).substr(0, 4), "503 ");
  EXPECT_EQ(say(s, {"DATA"}).substr(0, 4), "503 ") << "no recipient yet";
  EXPECT_EQ(say(s, {"STARTTLS"}).substr(0, 4), "502 ");
  EXPECT_EQ(say(s, {"XYZZY"}).substr(0, 4), "500 ");
  EXPECT_EQ(say(s, {"RSET", "RCPT TO:<a@b>"}), "250 ok\r\n503 send MAIL first\r\n");
  EXPECT_TRUE(s.take_messages().empty());
}

TEST(SmtpSession, RefusesAMessageAboveTheLimitAndKeepsServing) {
  SmtpSession s("catcher", 64);
  say(s, {"EHLO x", "MAIL FROM:<a@b>", "RCPT TO:<c@d>", "DATA"});
  const std::string long_line(100, 'x');
  EXPECT_EQ(say(s, {"Subject: big", long_line, "."}).substr(0, 4), "552 ");
  EXPECT_TRUE(s.take_messages().empty());
  say(s, {"MAIL FROM:<a@b>", "RCPT TO:<c@d>", "DATA"});
  EXPECT_EQ(say(s, {"Subject: small", "."}), "250 kept\r\n");
  EXPECT_EQ(s.take_messages().size(), 1U);
}

TEST(SmtpSession, SubjectOfAMessageWithoutOne) {
  EXPECT_EQ(SmtpSession::subject_of("From: a@b\r\n\r\nSubject: in the body\r\n"), "");
  EXPECT_EQ(SmtpSession::subject_of("subject:   lower case  \r\nX: y\r\n\r\n"), "lower case");
}

// Odoo encodes any subject beyond ASCII (RFC 2047); the list shows it as a person reads it.
TEST(SmtpSession, DecodesEncodedWordsInTheSubject) {
  // Python's email package (which Odoo uses) folds a long UTF-8 subject into several words.
  EXPECT_EQ(SmtpSession::subject_of("Subject: =?utf-8?b?RmFjdHVyZSA=?=\r\n"
                                    " =?utf-8?b?4oKsIDEyMCDigJMgQ2Fmw6k=?=\r\n\r\n"),
            "Facture \u20ac 120 \u2013 Caf\u00e9");
  EXPECT_EQ(SmtpSession::decode_header("=?ISO-8859-1?Q?R=E9sum=E9_du_mois?= (draft)"),
            "R\u00e9sum\u00e9 du mois (draft)");
  EXPECT_EQ(SmtpSession::decode_header("Re: =?utf-8?q?caf=C3=A9?= and tea"),
            "Re: caf\u00e9 and tea");
  // What cannot be decoded stays as sent: an unknown charset, bad base64, a lone "=?".
  EXPECT_EQ(SmtpSession::decode_header("=?x-unknown?b?QUJD?="), "=?x-unknown?b?QUJD?=");
  EXPECT_EQ(SmtpSession::decode_header("=?utf-8?b?!!!?="), "=?utf-8?b?!!!?=");
  EXPECT_EQ(SmtpSession::decode_header("2 =? 3 and =?utf-8?q?x=?="), "2 =? 3 and =?utf-8?q?x=?=");
  EXPECT_EQ(SmtpSession::decode_header("plain"), "plain");
}

}  // namespace
}  // namespace ballast::runtime::local
