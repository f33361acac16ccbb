// Loading a spec: read the file safely, parse YAML against the schema, apply derived
// defaults, validate cross-references. All problems are reported at once, sorted.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "spec/diagnostics.h"
#include "spec/model.h"

namespace ballast::spec {

// Specs larger than this are refused before parsing.
inline constexpr std::size_t kMaxSpecBytes = 4UL * 1024 * 1024;

// Loads and validates `file`. kSpecInvalid lists every problem as "file:line:col: path: …";
// kNotFound when the file does not exist.
core::Result<Spec> load(const std::filesystem::path& file);

// Parses and validates `text` as if read from `file` (used by load, tests and the fuzzer).
core::Result<Spec> parse(std::string_view text, const std::filesystem::path& file);

// Cross-reference checks on a parsed spec (names exist, unique, domains unique, RPO within
// retention, ports distinct…). Appends to `out`.
void validate(const Spec& spec, std::vector<Diagnostic>& out);

// A diagnostic at the position of the field `path` ("tenants[2].tls.key"), or of its nearest
// parent that has one; for checks made above the spec module (files the spec names).
Diagnostic diagnostic_at(const Spec& spec, const std::string& path, std::string message);

// Fills what the spec leaves to be derived: default domains, default backup repository.
void derive_defaults(Spec& spec);

}  // namespace ballast::spec
