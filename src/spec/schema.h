// The schema engine: one table per spec object drives parsing, defaults, validation of each
// field and `ballast spec explain`. The tables themselves live in model_schema.cpp.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "spec/diagnostics.h"
#include "spec/units.h"

namespace ballast::spec {

class Reader;
struct ObjectDef;

// A field check on a parsed value: an error message, or nullopt when fine.
template <typename T>
using Check = std::function<std::optional<std::string>(const T&)>;

// One key of a spec object.
struct FieldDef {
  std::string_view key;
  std::string type;           // "duration", "list of tenant", … (for explain)
  std::string_view doc;       // one or two sentences for explain
  std::string_view fallback;  // default as YAML text; "" = none
  bool required = false;
  const ObjectDef* (*child)() = nullptr;  // nested object (or list of objects), for explain
  std::vector<std::string_view> choices;  // enum values, for explain
  std::function<void(void* owner, const YAML::Node& node, const std::string& path, Reader&)> parse;
  std::function<nlohmann::json(const void* owner)> dump;  // the value, spelled as in YAML
};

// One kind of spec object (platform, tenant, plan…).
struct ObjectDef {
  std::string_view name;
  std::string_view doc;
  std::vector<FieldDef> fields;
  [[nodiscard]] const FieldDef* find(std::string_view key) const;
};

// Reads one YAML document against the schema, collecting every problem and the source
// position of every field read.
class Reader final {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  void error(const YAML::Mark& mark, const std::string& path, std::string message);
  void record(const std::string& path, const YAML::Mark& mark) { positions_[path] = mark; }
  // Parses the map `node` into `owner` (an object of `def`'s type).
  void read_object(const ObjectDef& def, void* owner, const YAML::Node& node,
                   const std::string& path);

  [[nodiscard]] const std::string& file() const { return file_; }
  std::vector<Diagnostic>& diagnostics() { return diagnostics_; }
  std::map<std::string, YAML::Mark>& positions() { return positions_; }

 private:
  std::string file_;
  std::vector<Diagnostic> diagnostics_;
  std::map<std::string, YAML::Mark> positions_;
};

// How a C++ type is read from YAML. Specialised for scalars, lists, optionals and enums; the
// primary template reads spec objects through their table, found with `schema(Tag<T>{})`.
template <typename T>
struct Tag {};

template <typename T>
struct Codec {
  static std::string type_name() { return std::string(schema(Tag<T>{}).name); }
  static const ObjectDef* child() { return &schema(Tag<T>{}); }
  static bool parse(const YAML::Node& node, const std::string& path, Reader& reader, T& out) {
    if (!node.IsMap()) {
      reader.error(node.Mark(), path, "expected a mapping (key: value lines)");
      return false;
    }
    reader.read_object(schema(Tag<T>{}), &out, node, path);
    return true;
  }
  static nlohmann::json dump(const T& value) { return dump_object(schema(Tag<T>{}), &value); }
};

// Every field of an object, spelled as in YAML, in table order.
nlohmann::json dump_object(const ObjectDef& def, const void* owner);

// Reads a scalar's text; reports and returns false for maps, lists and nulls.
bool scalar_text(const YAML::Node& node, const std::string& path, Reader& reader,
                 std::string_view expected, std::string& out);

template <typename T>
struct Codec<std::vector<T>> {
  static std::string type_name() { return "list of " + Codec<T>::type_name(); }
  static const ObjectDef* child() { return Codec<T>::child(); }
  static bool parse(const YAML::Node& node, const std::string& path, Reader& reader,
                    std::vector<T>& out) {
    if (node.IsNull()) return true;  // "key:" with nothing is an empty list
    if (!node.IsSequence()) {
      reader.error(node.Mark(), path, "expected a list");
      return false;
    }
    out.clear();
    out.reserve(node.size());
    for (std::size_t i = 0; i < node.size(); ++i) {
      const std::string item_path = path + "[" + std::to_string(i) + "]";
      reader.record(item_path, node[i].Mark());
      T item{};
      if (Codec<T>::parse(node[i], item_path, reader, item)) out.push_back(std::move(item));
    }
    return true;
  }
  static nlohmann::json dump(const std::vector<T>& value) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) out.push_back(Codec<T>::dump(item));
    return out;
  }
};

template <typename T>
struct Codec<std::optional<T>> {
  static std::string type_name() { return Codec<T>::type_name(); }
  static const ObjectDef* child() { return Codec<T>::child(); }
  static bool parse(const YAML::Node& node, const std::string& path, Reader& reader,
                    std::optional<T>& out) {
    T value{};
    if (!Codec<T>::parse(node, path, reader, value)) return false;
    out = std::move(value);
    return true;
  }
  static nlohmann::json dump(const std::optional<T>& value) {
    return value ? Codec<T>::dump(*value) : nlohmann::json(nullptr);
  }
};

// Enums: a table of (spelling, value) found with `enum_table(Tag<E>{})`.
template <typename E>
struct EnumEntry {
  std::string_view spelling;
  E value;
};

std::optional<std::string> choose_spelling(std::string_view text,
                                           const std::vector<std::string_view>& spellings);

template <typename E>
requires std::is_enum_v<E>
struct Codec<E> {
  static std::string type_name() { return "one of " + joined(); }
  static const ObjectDef* child() { return nullptr; }
  static std::vector<std::string_view> spellings() {
    std::vector<std::string_view> out;
    for (const auto& entry : enum_table(Tag<E>{})) out.push_back(entry.spelling);
    return out;
  }
  static std::string joined() {
    std::string out;
    for (const auto s : spellings()) out += (out.empty() ? "" : ", ") + std::string(s);
    return out;
  }
  static bool parse(const YAML::Node& node, const std::string& path, Reader& reader, E& out) {
    std::string text;
    if (!scalar_text(node, path, reader, "one of " + joined(), text)) return false;
    for (const auto& entry : enum_table(Tag<E>{})) {
      if (entry.spelling == text) {
        out = entry.value;
        return true;
      }
    }
    auto hint = choose_spelling(text, spellings());
    reader.error(node.Mark(), path,
                 "'" + text + "' is not one of " + joined() + (hint ? *hint : ""));
    return false;
  }
  static nlohmann::json dump(const E& value) {
    for (const auto& entry : enum_table(Tag<E>{})) {
      if (entry.value == value) return std::string(entry.spelling);
    }
    return nullptr;
  }
};

// Scalars (defined in schema.cpp).
#define BALLAST_SPEC_SCALAR_CODEC(T)                                                            \
  template <>                                                                                   \
  struct Codec<T> {                                                                             \
    static std::string type_name();                                                             \
    static const ObjectDef* child() { return nullptr; }                                         \
    static bool parse(const YAML::Node& node, const std::string& path, Reader& reader, T& out); \
    static nlohmann::json dump(const T& value);                                                 \
  }

BALLAST_SPEC_SCALAR_CODEC(std::string);
BALLAST_SPEC_SCALAR_CODEC(bool);
BALLAST_SPEC_SCALAR_CODEC(int);
BALLAST_SPEC_SCALAR_CODEC(std::uint16_t);
BALLAST_SPEC_SCALAR_CODEC(std::uint32_t);
BALLAST_SPEC_SCALAR_CODEC(Duration);
BALLAST_SPEC_SCALAR_CODEC(ByteSize);
BALLAST_SPEC_SCALAR_CODEC(Rate);
BALLAST_SPEC_SCALAR_CODEC(HostPort);
#undef BALLAST_SPEC_SCALAR_CODEC

enum class Presence { kOptional, kRequired };

// Binds `key` to `member` of `Owner`. `fallback` is the default as YAML text, used when the key
// is absent (and shown by explain). `check` runs on the parsed value.
template <typename Owner, typename M>
FieldDef field(std::string_view key, M Owner::*member, std::string_view doc,
               std::string_view fallback = "", Presence presence = Presence::kOptional,
               Check<M> check = nullptr) {
  FieldDef def;
  def.key = key;
  def.type = Codec<M>::type_name();
  def.doc = doc;
  def.fallback = fallback;
  def.required = presence == Presence::kRequired;
  def.child = &Codec<M>::child;
  if constexpr (std::is_enum_v<M>) def.choices = Codec<M>::spellings();
  def.parse = [member, check](void* owner, const YAML::Node& node, const std::string& path,
                              Reader& reader) {
    M& target = static_cast<Owner*>(owner)->*member;
    if (!Codec<M>::parse(node, path, reader, target) || !check) return;
    if (auto problem = check(target)) reader.error(node.Mark(), path, *problem);
  };
  def.dump = [member](const void* owner) {
    return Codec<M>::dump(static_cast<const Owner*>(owner)->*member);
  };
  return def;
}

template <typename Owner, typename M>
FieldDef required(std::string_view key, M Owner::*member, std::string_view doc,
                  Check<M> check = nullptr) {
  return field(key, member, doc, "", Presence::kRequired, std::move(check));
}

// A spec object as JSON, spelled as in YAML (durations "15m", sizes "20GiB"…).
template <typename T>
nlohmann::json to_json(const T& value) {
  return Codec<T>::dump(value);
}

}  // namespace ballast::spec
