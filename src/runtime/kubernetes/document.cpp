// Kubernetes objects as YAML: emitting with yaml-cpp's Emitter and reading back.
#include "runtime/kubernetes/document.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <yaml-cpp/yaml.h>

#include "core/text.h"

namespace ballast::runtime::kubernetes {
namespace {

constexpr std::array<std::string_view, 15> kYaml11Words = {
    "y",    "n", "yes",  "no",    "true",  "false", "on", "off",
    "null", "~", ".inf", "-.inf", "+.inf", ".nan",  "<<"};

bool is_decimal_char(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == ':' ||
         c == '+' || c == '-' || c == 'e' || c == 'E';
}

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// Numbers as a YAML 1.1 reader sees them: decimal, float, sexagesimal ("1:20"), dates, and
// 0x/0o/0b integers.
bool looks_numeric(std::string_view text) {
  const char first = text.front();
  if (!is_digit(first) && first != '+' && first != '-' && first != '.') return false;
  if (text.size() > 2 && text[0] == '0' &&
      std::string_view("xXoObB").find(text[1]) != std::string_view::npos) {
    return std::all_of(text.begin() + 2, text.end(),
                       [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
  }
  return std::all_of(text.begin(), text.end(), is_decimal_char) &&
         std::any_of(text.begin(), text.end(), is_digit);
}

// Multi-line text that round-trips exactly through a literal block ("|"): one trailing newline,
// no leading blank on the first line (which would need an indentation indicator), no tabs or CR.
bool fits_literal_block(std::string_view text) {
  if (text.size() < 2 || text.back() != '\n' || text[text.size() - 2] == '\n') return false;
  if (text.front() == ' ' || text.front() == '\n') return false;
  return text.find_first_of("\t\r") == std::string_view::npos && text.find('\n') != text.size() - 1;
}

void emit(YAML::Emitter& out, const Json& value, TextStyle style);

void emit_string(YAML::Emitter& out, const std::string& text, TextStyle style) {
  if (style == TextStyle::kLiteralBlocks && fits_literal_block(text)) {
    out << YAML::Literal << text;
  } else if (is_ambiguous_scalar(text) || text.find('\n') != std::string::npos) {
    out << YAML::DoubleQuoted << text;
  } else {
    out << text;
  }
}

void emit_map(YAML::Emitter& out, const Json& value, TextStyle style) {
  if (value.empty()) {
    out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
    return;
  }
  out << YAML::BeginMap;
  for (const auto& [key, item] : value.items()) {
    out << YAML::Key;
    emit_string(out, key, style);
    out << YAML::Value;
    emit(out, item, style);
  }
  out << YAML::EndMap;
}

void emit_seq(YAML::Emitter& out, const Json& value, TextStyle style) {
  if (value.empty()) {
    out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
    return;
  }
  out << YAML::BeginSeq;
  for (const auto& item : value) emit(out, item, style);
  out << YAML::EndSeq;
}

void emit(YAML::Emitter& out, const Json& value, TextStyle style) {
  switch (value.type()) {
    case Json::value_t::object:
      emit_map(out, value, style);
      break;
    case Json::value_t::array:
      emit_seq(out, value, style);
      break;
    case Json::value_t::string:
      emit_string(out, value.get_ref<const std::string&>(), style);
      break;
    case Json::value_t::boolean:
      out << value.get<bool>();
      break;
    case Json::value_t::number_integer:
      out << value.get<std::int64_t>();
      break;
    case Json::value_t::number_unsigned:
      out << value.get<std::uint64_t>();
      break;
    case Json::value_t::number_float:
      out << value.get<double>();
      break;
    default:
      out << YAML::Null;
      break;
  }
}

Json from_node(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      Json object = Json::object();
      for (const auto& item : node) object[item.first.Scalar()] = from_node(item.second);
      return object;
    }
    case YAML::NodeType::Sequence: {
      Json array = Json::array();
      for (const auto& item : node) array.push_back(from_node(item));
      return array;
    }
    case YAML::NodeType::Scalar:
      return node.Scalar();
    default:
      return nullptr;
  }
}

}  // namespace

bool is_ambiguous_scalar(std::string_view text) {
  if (text.empty()) return true;
  const std::string lower = core::to_lower(text);
  if (std::find(kYaml11Words.begin(), kYaml11Words.end(), lower) != kYaml11Words.end()) {
    return true;
  }
  return looks_numeric(text);
}

std::string to_yaml(const Json& object, TextStyle style) {
  YAML::Emitter out;
  out.SetIndent(2);
  emit(out, object, style);
  std::string text = out.c_str();
  // yaml-cpp leaves a blank line after a literal block that ends a document; drop it.
  while (!text.empty() && text.back() == '\n') text.pop_back();
  text.push_back('\n');
  return text;
}

std::string to_yaml_stream(std::span<const Json> objects) {
  std::string text;
  for (const auto& object : objects) {
    if (!text.empty()) text += "---\n";
    text += to_yaml(object);
  }
  return text;
}

core::Result<std::vector<Json>> parse_yaml_stream(std::string_view text) {
  try {
    std::vector<Json> documents;
    for (const auto& node : YAML::LoadAll(std::string(text))) {
      if (node.IsNull()) continue;
      documents.push_back(from_node(node));
    }
    return documents;
  } catch (const YAML::Exception& e) {
    return core::make_error(core::ErrorCode::kInvalidArgument, "not valid YAML at {}:{}: {}",
                            e.mark.line + 1, e.mark.column + 1, e.msg)
        .with_hint("Fix or delete the file; 'ballast render kubernetes' rewrites it.");
  }
}

}  // namespace ballast::runtime::kubernetes
