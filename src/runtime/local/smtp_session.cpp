#include "runtime/local/smtp_session.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include <fmt/format.h>
#include <iconv.h>

#include "core/crypto.h"

namespace ballast::runtime::local {
namespace {

constexpr std::size_t kMaxRecipients = 100;

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(text[i])) !=
        std::toupper(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// The address of "FROM:<a@b> SIZE=12" or "TO: <a@b>"; nullopt when malformed. "<>" is the
// null sender and gives "".
std::optional<std::string> address_of(std::string_view argument) {
  argument = trim(argument);
  if (!argument.empty() && argument.front() == '<') {
    const auto end = argument.find('>');
    if (end == std::string_view::npos) return std::nullopt;
    return std::string(argument.substr(1, end - 1));
  }
  // Lenient: a bare address up to the first space (some clients leave out the brackets).
  const auto end = argument.find(' ');
  auto bare = argument.substr(0, end);
  if (bare.empty()) return std::nullopt;
  return std::string(bare);
}

}  // namespace

SmtpSession::SmtpSession(std::string host_name, std::size_t max_message_bytes)
    : host_name_(std::move(host_name)), max_message_bytes_(max_message_bytes) {}

std::string SmtpSession::greeting() const {
  return fmt::format("220 {} Ballast mail catcher: mail is kept, never delivered\r\n", host_name_);
}

void SmtpSession::reset_transaction() {
  current_ = SmtpMessage{};
  too_large_ = false;
  if (state_ != State::kGreeted) state_ = State::kReady;
}

std::vector<SmtpMessage> SmtpSession::take_messages() {
  std::vector<SmtpMessage> out;
  out.swap(done_);
  return out;
}

std::string SmtpSession::on_line(std::string_view line) {
  if (closed_) return {};
  if (state_ != State::kData) return on_command(line);
  if (line == ".") {
    state_ = State::kReady;
    if (too_large_) {
      reset_transaction();
      return fmt::format("552 message larger than {} bytes, not kept\r\n", max_message_bytes_);
    }
    done_.push_back(std::move(current_));
    reset_transaction();
    return "250 kept\r\n";
  }
  if (too_large_) return {};
  if (!line.empty() && line.front() == '.') line.remove_prefix(1);  // dot-unstuffing
  if (current_.data.size() + line.size() + 2 > max_message_bytes_) {
    too_large_ = true;
    current_.data.clear();
    current_.data.shrink_to_fit();
    return {};
  }
  current_.data.append(line).append("\r\n");
  return {};
}

std::string SmtpSession::on_command(std::string_view line) {
  const auto space = line.find(' ');
  std::string verb(line.substr(0, space));
  std::transform(verb.begin(), verb.end(), verb.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  const std::string_view argument =
      space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);

  if (verb == "EHLO") {
    reset_transaction();
    state_ = State::kReady;
    return fmt::format(
        "250-{} greets you\r\n250-SIZE {}\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
        "250 PIPELINING\r\n",
        host_name_, max_message_bytes_);
  }
  if (verb == "HELO") {
    reset_transaction();
    state_ = State::kReady;
    return fmt::format("250 {}\r\n", host_name_);
  }
  if (verb == "QUIT") {
    closed_ = true;
    return "221 bye\r\n";
  }
  if (verb == "NOOP") return "250 ok\r\n";
  if (verb == "RSET") {
    reset_transaction();
    return "250 ok\r\n";
  }
  if (verb == "VRFY") return "252 cannot verify, but will keep the message\r\n";
  if (verb == "STARTTLS" || verb == "AUTH") {
    return "502 not offered: the catcher listens on loopback only\r\n";
  }
  if (verb == "MAIL") {
    if (state_ == State::kGreeted) return "503 send EHLO or HELO first\r\n";
    if (state_ == State::kMail) return "503 a transaction is already open\r\n";
    if (!starts_with_nocase(argument, "FROM:")) return "501 syntax: MAIL FROM:<address>\r\n";
    auto from = address_of(argument.substr(5));
    if (!from) return "501 syntax: MAIL FROM:<address>\r\n";
    current_.mail_from = *from;
    state_ = State::kMail;
    return "250 ok\r\n";
  }
  if (verb == "RCPT") {
    if (state_ != State::kMail) return "503 send MAIL first\r\n";
    if (!starts_with_nocase(argument, "TO:")) return "501 syntax: RCPT TO:<address>\r\n";
    auto to = address_of(argument.substr(3));
    if (!to || to->empty()) return "501 syntax: RCPT TO:<address>\r\n";
    if (current_.recipients.size() >= kMaxRecipients) return "452 too many recipients\r\n";
    current_.recipients.push_back(*to);
    return "250 ok\r\n";
  }
  if (verb == "DATA") {
    if (state_ != State::kMail || current_.recipients.empty()) {
      return "503 send MAIL and RCPT first\r\n";
    }
    state_ = State::kData;
    return "354 end the message with a line holding only a dot\r\n";
  }
  return fmt::format("500 command '{}' not recognised\r\n", verb.substr(0, 16));
}

namespace {

// `bytes` in `charset` as UTF-8 (glibc's iconv); nullopt when the charset is unknown or the
// bytes are not valid in it.
std::optional<std::string> to_utf8(std::string charset, std::string_view bytes) {
  charset = charset.substr(0, charset.find('*'));  // RFC 2231 adds "*language"
  std::transform(charset.begin(), charset.end(), charset.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (charset == "UTF-8" || charset == "US-ASCII") return std::string(bytes);
  iconv_t cd = ::iconv_open("UTF-8", charset.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string in(bytes);
  std::string out(in.size() * 4 + 4, '\0');
  char* in_ptr = in.data();
  std::size_t in_left = in.size();
  char* out_ptr = out.data();
  std::size_t out_left = out.size();
  const std::size_t done = ::iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
  ::iconv_close(cd);
  if (done == static_cast<std::size_t>(-1)) return std::nullopt;
  out.resize(out.size() - out_left);
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// One encoded word's text ("=?charset?B|Q?text?=" without the delimiters) as UTF-8.
std::optional<std::string> decode_word(std::string_view charset, char encoding,
                                       std::string_view text) {
  std::string bytes;
  if (encoding == 'B' || encoding == 'b') {
    auto decoded = core::base64_decode(text);
    if (!decoded.has_value()) return std::nullopt;
    bytes = std::move(decoded).value();
  } else if (encoding == 'Q' || encoding == 'q') {
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '_') {
        bytes += ' ';
      } else if (text[i] == '=') {
        if (i + 2 >= text.size()) return std::nullopt;
        const int high = hex_value(text[i + 1]);
        const int low = hex_value(text[i + 2]);
        if (high < 0 || low < 0) return std::nullopt;
        bytes += static_cast<char>(high * 16 + low);
        i += 2;
      } else {
        bytes += text[i];
      }
    }
  } else {
    return std::nullopt;
  }
  return to_utf8(std::string(charset), bytes);
}

}  // namespace

std::string SmtpSession::decode_header(std::string_view value) {
  std::string out;
  std::size_t pos = 0;
  bool after_word = false;  // white space between two encoded words is dropped (RFC 2047 6.2)
  while (pos < value.size()) {
    const auto start = value.find("=?", pos);
    if (start == std::string_view::npos) break;
    const auto q1 = value.find('?', start + 2);
    const auto q2 = q1 == std::string_view::npos ? q1 : value.find('?', q1 + 1);
    const auto end = q2 == std::string_view::npos ? q2 : value.find("?=", q2 + 1);
    if (end == std::string_view::npos || q2 != q1 + 2) {
      out += value.substr(pos, start + 2 - pos);
      pos = start + 2;
      after_word = false;
      continue;
    }
    const auto between = value.substr(pos, start - pos);
    const bool only_space =
        std::all_of(between.begin(), between.end(), [](char c) { return c == ' ' || c == '\t'; });
    auto word = decode_word(value.substr(start + 2, q1 - start - 2), value[q1 + 1],
                            value.substr(q2 + 1, end - q2 - 1));
    if (!word.has_value()) {  // not decodable: kept as sent
      out += value.substr(pos, end + 2 - pos);
      after_word = false;
    } else {
      if (!(after_word && only_space)) out += between;
      out += *word;
      after_word = true;
    }
    pos = end + 2;
  }
  out += value.substr(pos);
  return out;
}

std::string SmtpSession::subject_of(std::string_view data) {
  std::size_t pos = 0;
  std::string subject;
  bool in_subject = false;
  while (pos < data.size()) {
    auto end = data.find("\r\n", pos);
    if (end == std::string_view::npos) end = data.size();
    const auto line = data.substr(pos, end - pos);
    pos = end + 2;
    if (line.empty()) break;  // end of the headers
    const bool folded = line.front() == ' ' || line.front() == '\t';
    if (in_subject && folded) {
      subject += ' ';
      subject += trim(line);
      continue;
    }
    if (in_subject) break;
    if (starts_with_nocase(line, "Subject:")) {
      in_subject = true;
      subject = std::string(trim(line.substr(8)));
    }
  }
  return decode_header(subject);
}

}  // namespace ballast::runtime::local
