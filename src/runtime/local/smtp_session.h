// SmtpSession: the server side of one SMTP conversation (RFC 5321) for the platform's mail
// catcher, without sockets: lines in, replies out, finished messages taken. It accepts any
// sender and recipient, offers no TLS and no AUTH (copies talk to it on loopback), and keeps
// each message as received, dot-unstuffed, with CRLF line ends.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ballast::runtime::local {

struct SmtpMessage {
  std::string mail_from;
  std::vector<std::string> recipients;
  std::string data;  // headers and body
};

class SmtpSession final {
 public:
  // Messages larger than `max_message_bytes` are refused (552) and not kept.
  SmtpSession(std::string host_name, std::size_t max_message_bytes);

  // The 220 greeting to send when the client connects.
  [[nodiscard]] std::string greeting() const;
  // Handles one line received, without its line end; the reply to send (empty while the
  // message text is arriving). After QUIT or a fatal error is_closed() turns true.
  std::string on_line(std::string_view line);
  [[nodiscard]] bool is_closed() const { return closed_; }
  // The messages completed since the last call.
  std::vector<SmtpMessage> take_messages();

  // The Subject header of a message, unfolded and decoded to UTF-8 (RFC 2047 encoded words,
  // as Odoo sends any subject beyond ASCII); empty when it has none.
  static std::string subject_of(std::string_view data);
  // RFC 2047 encoded words ("=?utf-8?b?…?=", "=?iso-8859-1?q?…?=") in a header value, as
  // UTF-8; a word that cannot be decoded (an unknown charset, bad base64) stays as sent.
  static std::string decode_header(std::string_view value);

 private:
  enum class State { kGreeted, kReady, kMail, kData };
  std::string on_command(std::string_view line);
  void reset_transaction();

  std::string host_name_;
  std::size_t max_message_bytes_;
  State state_ = State::kGreeted;
  bool closed_ = false;
  bool too_large_ = false;
  SmtpMessage current_;
  std::vector<SmtpMessage> done_;
};

}  // namespace ballast::runtime::local
