#include "spec/loader.h"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include "core/file.h"
#include "core/text.h"
#include "spec/model_schema.h"

namespace ballast::spec {
namespace {

// Offset of the first byte that cannot be in a UTF-8 text file, or npos.
std::size_t first_binary_byte(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t')) return i;
    std::size_t length = c < 0x80         ? 1
                         : (c >> 5) == 6  ? 2
                         : (c >> 4) == 14 ? 3
                         : (c >> 3) == 30 ? 4
                                          : 0;
    if (length == 0 || i + length > text.size()) return i;
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) >> 6) != 2) return i;
    }
    i += length;
  }
  return std::string_view::npos;
}

bool only_comments(std::string_view text) {
  for (const auto& line : core::split(text, '\n')) {
    const auto t = core::trim(line);
    if (!t.empty() && t.front() != '#' && t != "---" && t != "...") return false;
  }
  return true;
}

core::Error file_error(const std::string& file, std::string message, std::string hint) {
  return core::Error(core::ErrorCode::kSpecInvalid, file + ": " + std::move(message))
      .with_hint(std::move(hint));
}

}  // namespace

core::Result<Spec> load(const std::filesystem::path& file) {
  auto text = core::read_file(file, kMaxSpecBytes);
  if (!text.has_value()) {
    if (text.error().code() == core::ErrorCode::kPayloadTooLarge) {
      return file_error(
          file.string(),
          fmt::format("the spec is larger than the limit of {} MiB", kMaxSpecBytes >> 20),
          "A spec is a few hundred lines per hundred tenants; check that this is "
          "the right file.");
    }
    if (text.error().code() == core::ErrorCode::kNotFound) {
      return core::make_error(core::ErrorCode::kNotFound, "spec file '{}' does not exist",
                              file.string())
          .with_hint("Run 'ballast init' to write a starter spec, or pass one with -f FILE.");
    }
    return std::move(text).error();
  }
  return parse(*text, file);
}

core::Result<Spec> parse(std::string_view text, const std::filesystem::path& file) {
  const std::string name = file.string();
  if (text.size() > kMaxSpecBytes) {
    return file_error(name, "the spec is larger than the limit", "Check that this is the spec.");
  }
  if (const auto at = first_binary_byte(text); at != std::string_view::npos) {
    return file_error(name, fmt::format("this is not a text file (binary data at byte {})", at),
                      "A spec is a YAML text file; run 'ballast init' to write one.");
  }
  if (only_comments(text)) {
    return file_error(name, "the spec is empty",
                      "Run 'ballast init' to write a starter spec with every section explained.");
  }
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::DeepRecursion& e) {
    return file_error(fmt::format("{}:{}:{}", name, e.mark.line + 1, e.mark.column + 1),
                      "the YAML is nested too deeply", "A spec is at most a few levels deep.");
  } catch (const YAML::Exception& e) {
    return file_error(fmt::format("{}:{}:{}", name, e.mark.line + 1, e.mark.column + 1),
                      "invalid YAML: " + e.msg, "Check the indentation and quoting on that line.");
  }
  if (documents.size() != 1) {
    return file_error(name, fmt::format("expected one YAML document, found {}", documents.size()),
                      "Remove the extra '---' separators.");
  }
  if (!documents.front().IsMap()) {
    return file_error(name, "the top of the spec must be a mapping (platform:, tenants:, …)",
                      "Run 'ballast init' to see the expected layout.");
  }
  Spec spec;
  spec.file = file;
  Reader reader(name);
  try {
    reader.read_object(schema(Tag<Spec>{}), &spec, documents.front(), "");
  } catch (const YAML::Exception& e) {
    return file_error(name, "invalid YAML: " + e.msg, "Check the file's syntax.");
  }
  spec.positions = std::move(reader.positions());
  auto& diagnostics = reader.diagnostics();
  // Cross-references are checked even when fields failed, so every problem shows at once;
  // the checks skip references left empty by a failed field.
  derive_defaults(spec);
  validate(spec, diagnostics);
  if (!diagnostics.empty()) {
    sort_diagnostics(diagnostics);
    return to_error(diagnostics);
  }
  return spec;
}

}  // namespace ballast::spec
