// HAProxy's runtime API over its unix socket: read and change map entries without a reload.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "core/result.h"

namespace ballast::components::haproxy {

class RuntimeApi final {
 public:
  explicit RuntimeApi(std::filesystem::path socket) : socket_(std::move(socket)) {}

  // Sends one command; the answer text. kUnavailable when the socket does not answer.
  core::Result<std::string> send(const std::string& command) const;
  // The entries HAProxy holds for a map file, key → value.
  core::Result<std::map<std::string, std::string>> show_map(const std::filesystem::path& map) const;
  // Makes the live map equal `desired` with add/set/del; returns how many entries changed.
  core::Result<int> sync_map(const std::filesystem::path& map,
                             const std::map<std::string, std::string>& desired) const;
  // The entries of a stick table: key → stored counters ("http_req_cnt" → 12, "gpc0" → 1…).
  core::Result<std::map<std::string, std::map<std::string, std::int64_t>>> show_table(
      const std::string& table) const;

 private:
  std::filesystem::path socket_;
};

// Parses the answer to "show table" ("0x…: key=acme use=0 exp=… gpc0=1 http_req_cnt=12 …").
std::map<std::string, std::map<std::string, std::int64_t>> parse_table(const std::string& text);

// Parses a map file's text ("key value" lines).
std::map<std::string, std::string> parse_map(const std::string& text);

}  // namespace ballast::components::haproxy
