#include "components/redis/client.h"

#include <cstdlib>

#include <fmt/format.h>

#include "core/text.h"

namespace ballast::components::redis {
namespace {

void flatten(const redisReply* r, Reply& out) {
  switch (r->type) {
    case REDIS_REPLY_ERROR:
      out.is_error = true;
      out.values.emplace_back(r->str, r->len);
      break;
    case REDIS_REPLY_NIL:
      out.is_nil = true;
      break;
    case REDIS_REPLY_INTEGER:
      out.values.push_back(std::to_string(r->integer));
      break;
    case REDIS_REPLY_ARRAY:
      for (std::size_t i = 0; i < r->elements; ++i) flatten(r->element[i], out);
      break;
    default:
      out.values.emplace_back(r->str, r->len);
  }
}

}  // namespace

const std::string& Reply::text() const {
  static const std::string empty;
  return values.empty() ? empty : values.front();
}

core::Result<Client> Client::connect(const std::string& host, std::uint16_t port,
                                     const std::string& user, const core::Secret& password) {
  const timeval timeout{5, 0};
  redisContext* raw = redisConnectWithTimeout(host.c_str(), port, timeout);
  Client client(raw);
  if (raw == nullptr || raw->err != 0) {
    return core::make_error(core::ErrorCode::kUnavailable, "cannot connect to Redis at {}:{}: {}",
                            host, port, raw != nullptr ? raw->errstr : "out of memory");
  }
  redisSetTimeout(raw, timeout);
  BALLAST_ASSIGN_OR_RETURN(auto auth, client.command({"AUTH", user, password.reveal()}));
  if (auth.is_error) {
    return core::make_error(core::ErrorCode::kUnauthenticated, "Redis refused user '{}': {}", user,
                            auth.text());
  }
  return client;
}

core::Result<Reply> Client::command(const std::vector<std::string>& argv) {
  std::vector<const char*> args;
  std::vector<std::size_t> lengths;
  for (const auto& a : argv) {
    args.push_back(a.data());
    lengths.push_back(a.size());
  }
  auto* raw = static_cast<redisReply*>(
      redisCommandArgv(context_.get(), static_cast<int>(args.size()), args.data(), lengths.data()));
  if (raw == nullptr) {
    return core::make_error(core::ErrorCode::kUnavailable, "Redis connection failed: {}",
                            context_->errstr);
  }
  Reply reply;
  flatten(raw, reply);
  freeReplyObject(raw);
  return reply;
}

core::Status Client::ping() {
  BALLAST_ASSIGN_OR_RETURN(auto reply, command({"PING"}));
  if (reply.text() != "PONG") {
    return core::make_error(core::ErrorCode::kComponentFailed, "Redis answered '{}' to PING",
                            reply.text());
  }
  return core::ok();
}

Info parse_info(const std::string& text) {
  Info info;
  for (const auto& line : core::split(text, '\n')) {
    const auto colon = line.find(':');
    if (line.empty() || line[0] == '#' || colon == std::string::npos) continue;
    info.fields[line.substr(0, colon)] = std::string(core::trim(line.substr(colon + 1)));
  }
  return info;
}

std::optional<double> Info::number(const std::string& field) const {
  const auto it = fields.find(field);
  if (it == fields.end() || it->second.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(it->second.c_str(), &end);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return value;
}

core::Result<Info> Client::info() {
  BALLAST_ASSIGN_OR_RETURN(auto reply, command({"INFO"}));
  if (reply.is_error) {
    return core::make_error(core::ErrorCode::kComponentFailed, "Redis refused INFO: {}",
                            reply.text());
  }
  return parse_info(reply.text());
}

core::Status Client::acl_load() {
  BALLAST_ASSIGN_OR_RETURN(auto reply, command({"ACL", "LOAD"}));
  if (reply.is_error) {
    return core::make_error(core::ErrorCode::kComponentFailed, "Redis refused ACL LOAD: {}",
                            reply.text());
  }
  return core::ok();
}

}  // namespace ballast::components::redis
