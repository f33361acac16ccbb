// HAProxy's runtime API over its unix socket: read and change map entries without a reload.
#pragma once

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

 private:
  std::filesystem::path socket_;
};

// Parses a map file's text ("key value" lines).
std::map<std::string, std::string> parse_map(const std::string& text);

}  // namespace ballast::components::haproxy
