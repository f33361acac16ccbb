// WAL segments in a pgBackRest archive: which segments a repository holds, and which of those a
// recovery window needs are missing. A gap means no point-in-time recovery past it, so
// `ballast backup verify` reports it before anyone needs the window.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "components/pgbackrest/stanza.h"
#include "core/result.h"

namespace ballast::components::pgbackrest {

// A WAL segment's name, 24 hex digits: timeline, log and segment number.
struct Segment {
  std::uint32_t timeline = 0;
  std::uint32_t log = 0;
  std::uint32_t seg = 0;

  static std::optional<Segment> parse(std::string_view name);
  std::string name() const;
};

// The segment before `name` on its timeline; nullopt for the very first or a bad name/size.
std::optional<std::string> previous_segment(const std::string& name, std::uint64_t segment_bytes);

// The segment names found in `pgbackrest repo-ls --recurse --output=json` of an archive
// directory (archived files are called <segment>-<sha1>[.zst]; history and .backup files are
// not segments).
std::set<std::string> parse_segment_listing(const nlohmann::json& listing);

struct WalGap {
  std::uint64_t expected = 0;        // segments from first to last
  std::vector<std::string> missing;  // in order; a segment counts as present on any timeline
};                                   // between first's and last's

// Which segments from `first` to `last` (inclusive) are not in `present`. `segment_bytes` is the
// cluster's wal_segment_size. kInvalidArgument for names that are not segments or run backwards.
core::Result<WalGap> missing_segments(const std::string& first, const std::string& last,
                                      const std::set<std::string>& present,
                                      std::uint64_t segment_bytes);

// The archive folders (timeline and log, 16 hex digits) holding the segments from `first` to
// `last`: one per log number on each timeline of the range.
std::vector<std::string> archive_folders(const std::string& first, const std::string& last);

// Lists which of `folders` segments repository `repo` (1-based) holds in the stanza's archive
// `archive_id`. Folder by folder rather than recursively: S3 stores answer a plain prefix
// listing, which every one of them implements alike.
core::Result<std::set<std::string>> archived_segments(const Stanza& stanza,
                                                      const core::Identity& owner, int repo,
                                                      const std::string& archive_id,
                                                      const std::vector<std::string>& folders);

}  // namespace ballast::components::pgbackrest
