#include "runtime/local/smtp_session.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

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
  return subject;
}

}  // namespace ballast::runtime::local
