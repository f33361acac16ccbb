// Small text helpers: splitting, joining, trimming and "did you mean" suggestions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ballast::core {

std::vector<std::string> split(std::string_view text, char separator);
std::string join(std::span<const std::string> parts, std::string_view separator);
std::string_view trim(std::string_view text);
std::string to_lower(std::string_view text);

// Levenshtein distance.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a plausible typo.
std::optional<std::string> closest_match(std::string_view word,
                                         std::span<const std::string_view> candidates);

// "; did you mean 'x'?" or "" — appended to messages about unknown names.
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

// True when `name` is a DNS label: 1–63 of [a-z0-9-], not starting or ending with '-'.
bool is_dns_label(std::string_view name);
// True when `name` is a DNS name: dot-separated labels, at most 253 characters.
bool is_dns_name(std::string_view name);

}  // namespace ballast::core
