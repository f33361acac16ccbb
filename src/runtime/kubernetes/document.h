// Kubernetes objects in memory (insertion-ordered JSON) and their YAML text, both ways.
//
// Objects are built as nlohmann::ordered_json so keys come out in the order they were added
// (apiVersion, kind, metadata, spec…): the text is deterministic and reads like a hand-written
// manifest. YAML is written with yaml-cpp's Emitter and read with yaml-cpp's parser.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace ballast::runtime::kubernetes {

using Json = nlohmann::ordered_json;

// How multi-line strings are written.
enum class TextStyle {
  kLiteralBlocks,  // "|" blocks when they round-trip exactly (readable)
  kQuoted,         // always double-quoted: kustomize 5 drops the final newline of a literal
                   // block inside a JSON patch, so patches use this
};

// YAML text of one object: a block mapping ending with a newline. Strings that YAML would read
// as another type ("yes", "0755", "1:20", "") are double-quoted; multi-line strings as `style`.
std::string to_yaml(const Json& object, TextStyle style = TextStyle::kLiteralBlocks);

// A multi-document YAML stream: each object's text, separated by "---" lines.
std::string to_yaml_stream(std::span<const Json> objects);

// Parses a YAML stream into one Json per document. Scalars become strings (or null), since a
// manifest's types come from its schema, not its spelling; this is the form in which rendered and
// committed manifests are compared. kInvalidArgument with the parser's line and column when the
// text is not YAML.
core::Result<std::vector<Json>> parse_yaml_stream(std::string_view text);

// True when a plain (unquoted) scalar with this text would be read as something other than a
// string by a YAML 1.1 reader such as the API server's: booleans (yes/no/on/off/y/n…), null,
// numbers in any base, sexagesimal numbers, dates, or the empty string.
bool is_ambiguous_scalar(std::string_view text);

}  // namespace ballast::runtime::kubernetes
