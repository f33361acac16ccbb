#include "spec/schema.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "core/text.h"

namespace ballast::spec {
namespace {

std::string join_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

template <typename Int>
bool parse_integer(const YAML::Node& node, const std::string& path, Reader& reader, Int& out,
                   long long low, long long high) {
  std::string text;
  if (!scalar_text(node, path, reader, "a whole number", text)) return false;
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    reader.error(node.Mark(), path, fmt::format("'{}' is not a whole number", text));
    return false;
  }
  if (value < low || value > high) {
    reader.error(node.Mark(), path, fmt::format("{} is out of range ({}–{})", value, low, high));
    return false;
  }
  out = static_cast<Int>(value);
  return true;
}

template <typename T>
bool parse_unit(const YAML::Node& node, const std::string& path, Reader& reader, T& out,
                std::string_view expected, core::Result<T> (*parser)(std::string_view)) {
  std::string text;
  if (!scalar_text(node, path, reader, expected, text)) return false;
  auto parsed = parser(text);
  if (!parsed.has_value()) {
    reader.error(node.Mark(), path, parsed.error().message());
    return false;
  }
  out = std::move(parsed).value();
  return true;
}

}  // namespace

const FieldDef* ObjectDef::find(std::string_view key) const {
  for (const auto& f : fields) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

void Reader::error(const YAML::Mark& mark, const std::string& path, std::string message) {
  Diagnostic d;
  d.file = file_;
  d.line = mark.line >= 0 ? mark.line + 1 : 0;
  d.column = mark.column >= 0 ? mark.column + 1 : 0;
  d.path = path;
  d.message = std::move(message);
  diagnostics_.push_back(std::move(d));
}

void Reader::read_object(const ObjectDef& def, void* owner, const YAML::Node& node,
                         const std::string& path) {
  std::set<std::string> seen;
  std::vector<std::string_view> known;
  for (const auto& f : def.fields) known.push_back(f.key);
  for (const auto& entry : node) {
    const YAML::Node& key_node = entry.first;
    if (!key_node.IsScalar()) {
      error(key_node.Mark(), path, "keys must be plain words");
      continue;
    }
    const std::string key = key_node.Scalar();
    const std::string field_path = join_path(path, key);
    if (!seen.insert(key).second) {
      error(key_node.Mark(), field_path, fmt::format("'{}' is given twice", key));
      continue;
    }
    const FieldDef* f = def.find(key);
    if (f == nullptr) {
      error(key_node.Mark(), field_path,
            fmt::format("unknown key '{}' in {}{}", key, def.name, core::did_you_mean(key, known)));
      continue;
    }
    record(field_path, entry.second.Mark());
    f->parse(owner, entry.second, field_path, *this);
  }
  for (const auto& f : def.fields) {
    if (seen.count(std::string(f.key)) != 0) continue;
    if (f.required) {
      error(node.Mark(), path.empty() ? std::string(f.key) : path,
            fmt::format("missing required key '{}' in {}", f.key, def.name));
    } else if (!f.fallback.empty()) {
      f.parse(owner, YAML::Load(std::string(f.fallback)), join_path(path, f.key), *this);
    }
  }
}

nlohmann::json dump_object(const ObjectDef& def, const void* owner) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& f : def.fields) out[std::string(f.key)] = f.dump(owner);
  return out;
}

bool scalar_text(const YAML::Node& node, const std::string& path, Reader& reader,
                 std::string_view expected, std::string& out) {
  if (!node.IsScalar()) {
    const char* got = node.IsMap() ? "a mapping" : node.IsSequence() ? "a list" : "nothing";
    reader.error(node.Mark(), path, fmt::format("expected {}, got {}", expected, got));
    return false;
  }
  out = node.Scalar();
  return true;
}

std::optional<std::string> choose_spelling(std::string_view text,
                                           const std::vector<std::string_view>& spellings) {
  auto hint = core::did_you_mean(text, spellings);
  if (hint.empty()) return std::nullopt;
  return hint;
}

std::string Codec<std::string>::type_name() { return "string"; }
bool Codec<std::string>::parse(const YAML::Node& node, const std::string& path, Reader& reader,
                               std::string& out) {
  return scalar_text(node, path, reader, "text", out);
}

std::string Codec<bool>::type_name() { return "true or false"; }
bool Codec<bool>::parse(const YAML::Node& node, const std::string& path, Reader& reader,
                        bool& out) {
  std::string text;
  if (!scalar_text(node, path, reader, "true or false", text)) return false;
  if (text != "true" && text != "false") {
    reader.error(node.Mark(), path, fmt::format("'{}' is not true or false", text));
    return false;
  }
  out = text == "true";
  return true;
}

std::string Codec<int>::type_name() { return "whole number"; }
bool Codec<int>::parse(const YAML::Node& node, const std::string& path, Reader& reader, int& out) {
  return parse_integer(node, path, reader, out, std::numeric_limits<int>::min(),
                       std::numeric_limits<int>::max());
}

std::string Codec<std::uint16_t>::type_name() { return "port number"; }
bool Codec<std::uint16_t>::parse(const YAML::Node& node, const std::string& path, Reader& reader,
                                 std::uint16_t& out) {
  return parse_integer(node, path, reader, out, 0, 65535);
}

std::string Codec<std::uint32_t>::type_name() { return "whole number ≥ 0"; }
bool Codec<std::uint32_t>::parse(const YAML::Node& node, const std::string& path, Reader& reader,
                                 std::uint32_t& out) {
  return parse_integer(node, path, reader, out, 0, std::numeric_limits<std::int32_t>::max());
}

std::string Codec<Duration>::type_name() { return "duration (e.g. 15m, 24h, 7d)"; }
bool Codec<Duration>::parse(const YAML::Node& node, const std::string& path, Reader& reader,
                            Duration& out) {
  return parse_unit<Duration>(node, path, reader, out, "a duration such as '15m'", &parse_duration);
}

std::string Codec<ByteSize>::type_name() { return "size (e.g. 512MiB, 20GiB)"; }
bool Codec<ByteSize>::parse(const YAML::Node& node, const std::string& path, Reader& reader,
                            ByteSize& out) {
  return parse_unit<ByteSize>(node, path, reader, out, "a size such as '20GiB'", &parse_size);
}

std::string Codec<Rate>::type_name() { return "rate (e.g. 50/s, 600/m)"; }
bool Codec<Rate>::parse(const YAML::Node& node, const std::string& path, Reader& reader,
                        Rate& out) {
  return parse_unit<Rate>(node, path, reader, out, "a rate such as '50/s'", &parse_rate);
}

std::string Codec<HostPort>::type_name() { return "address:port"; }
bool Codec<HostPort>::parse(const YAML::Node& node, const std::string& path, Reader& reader,
                            HostPort& out) {
  return parse_unit<HostPort>(node, path, reader, out, "an address such as '127.0.0.1:8080'",
                              &parse_host_port);
}

}  // namespace ballast::spec

namespace ballast::spec {

nlohmann::json Codec<std::string>::dump(const std::string& v) { return v; }
nlohmann::json Codec<bool>::dump(const bool& v) { return v; }
nlohmann::json Codec<int>::dump(const int& v) { return v; }
nlohmann::json Codec<std::uint16_t>::dump(const std::uint16_t& v) { return v; }
nlohmann::json Codec<std::uint32_t>::dump(const std::uint32_t& v) { return v; }
nlohmann::json Codec<Duration>::dump(const Duration& v) { return format_duration(v); }
nlohmann::json Codec<ByteSize>::dump(const ByteSize& v) { return format_size(v); }
nlohmann::json Codec<Rate>::dump(const Rate& v) { return format_rate(v); }
nlohmann::json Codec<HostPort>::dump(const HostPort& v) { return format_host_port(v); }

}  // namespace ballast::spec
