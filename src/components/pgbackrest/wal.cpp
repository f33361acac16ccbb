#include "components/pgbackrest/wal.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace ballast::components::pgbackrest {

namespace {

constexpr std::size_t kNameLength = 24;

std::optional<std::uint32_t> hex8(std::string_view text) {
  std::uint32_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value, 16);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

std::optional<Segment> Segment::parse(std::string_view name) {
  if (name.size() != kNameLength ||
      !std::all_of(name.begin(), name.end(), [](char c) { return std::isxdigit(c) != 0; }))
    return std::nullopt;
  auto timeline = hex8(name.substr(0, 8));
  auto log = hex8(name.substr(8, 8));
  auto seg = hex8(name.substr(16, 8));
  if (!timeline || !log || !seg) return std::nullopt;
  return Segment{*timeline, *log, *seg};
}

std::string Segment::name() const { return fmt::format("{:08X}{:08X}{:08X}", timeline, log, seg); }

std::optional<std::string> previous_segment(const std::string& name, std::uint64_t segment_bytes) {
  const auto s = Segment::parse(name);
  if (!s || segment_bytes == 0 || segment_bytes > (1ULL << 32)) return std::nullopt;
  const auto per_log = static_cast<std::uint32_t>((1ULL << 32) / segment_bytes - 1);
  if (s->seg > 0) return Segment{s->timeline, s->log, s->seg - 1}.name();
  if (s->log == 0) return std::nullopt;
  return Segment{s->timeline, s->log - 1, per_log}.name();
}

std::set<std::string> parse_segment_listing(const nlohmann::json& listing) {
  std::set<std::string> out;
  if (!listing.is_object()) return out;
  for (const auto& [path, entry] : listing.items()) {
    if (!entry.is_object() || entry.value("type", "") != "file") continue;
    const auto slash = path.find_last_of('/');
    const std::string_view file =
        std::string_view(path).substr(slash == std::string::npos ? 0 : slash + 1);
    if (file.size() <= kNameLength || file[kNameLength] != '-') continue;
    const auto name = file.substr(0, kNameLength);
    if (Segment::parse(name)) out.emplace(name);
  }
  return out;
}

core::Result<WalGap> missing_segments(const std::string& first, const std::string& last,
                                      const std::set<std::string>& present,
                                      std::uint64_t segment_bytes) {
  const auto from = Segment::parse(first);
  const auto to = Segment::parse(last);
  if (!from || !to) {
    return core::make_error(core::ErrorCode::kInvalidArgument,
                            "'{}' to '{}' is not a range of WAL segment names", first, last);
  }
  if (segment_bytes == 0 || segment_bytes > (1ULL << 32) || ((1ULL << 32) % segment_bytes) != 0) {
    return core::make_error(core::ErrorCode::kInvalidArgument, "{} bytes is not a WAL segment size",
                            segment_bytes);
  }
  const std::uint64_t per_log = (1ULL << 32) / segment_bytes;
  auto position = [&](const Segment& s) { return std::uint64_t{s.log} * per_log + s.seg; };
  if (to->timeline < from->timeline || position(*to) < position(*from)) {
    return core::make_error(core::ErrorCode::kInvalidArgument, "WAL segment '{}' comes before '{}'",
                            last, first);
  }
  // Positions held on any timeline of the range.
  std::set<std::uint64_t> held;
  for (const auto& name : present) {
    const auto s = Segment::parse(name);
    if (s && s->timeline >= from->timeline && s->timeline <= to->timeline)
      held.insert(position(*s));
  }
  WalGap gap;
  for (std::uint64_t p = position(*from); p <= position(*to); ++p) {
    ++gap.expected;
    if (held.count(p) != 0U) continue;
    // Name it on the timeline it would most likely be on: the last one that has a segment at
    // or before this position, or the first.
    std::uint32_t timeline = from->timeline;
    for (const auto& name : present) {
      const auto s = Segment::parse(name);
      if (s && s->timeline >= from->timeline && s->timeline <= to->timeline && position(*s) < p)
        timeline = std::max(timeline, s->timeline);
    }
    gap.missing.push_back(Segment{timeline, static_cast<std::uint32_t>(p / per_log),
                                  static_cast<std::uint32_t>(p % per_log)}
                              .name());
  }
  return gap;
}

std::vector<std::string> archive_folders(const std::string& first, const std::string& last) {
  std::vector<std::string> out;
  const auto from = Segment::parse(first);
  const auto to = Segment::parse(last);
  if (!from || !to || to->timeline < from->timeline || to->log < from->log) return out;
  for (std::uint32_t timeline = from->timeline; timeline <= to->timeline; ++timeline) {
    for (std::uint32_t log = from->log; log <= to->log; ++log)
      out.push_back(fmt::format("{:08X}{:08X}", timeline, log));
  }
  return out;
}

core::Result<std::set<std::string>> archived_segments(const Stanza& stanza,
                                                      const core::Identity& owner, int repo,
                                                      const std::string& archive_id,
                                                      const std::vector<std::string>& folders) {
  std::set<std::string> out;
  for (const auto& folder : folders) {
    // repo-ls takes no --stanza: the command's own prefix without it.
    core::Command c = command(stanza, owner, {});
    c.argv.erase(std::remove(c.argv.begin(), c.argv.end(), "--stanza=" + stanza.name),
                 c.argv.end());
    const std::vector<std::string> args = {
        "repo-ls", "--repo=" + std::to_string(repo), "--output=json",
        "archive/" + stanza.name + "/" + archive_id + "/" + folder};
    c.argv.insert(c.argv.end(), args.begin(), args.end());
    auto done = core::run(c, std::chrono::minutes(10));
    if (!done.has_value()) return std::move(done).error();
    if (!done->status.is_success()) {
      return core::make_error(core::ErrorCode::kComponentFailed,
                              "pgbackrest repo-ls of repository {} for '{}' {}: {}", repo,
                              stanza.name, done->status.describe(), done->err);
    }
    const auto json = nlohmann::json::parse(done->out, nullptr, false);
    if (json.is_discarded()) {
      return core::make_error(core::ErrorCode::kComponentFailed,
                              "pgbackrest repo-ls for '{}' is not JSON", stanza.name);
    }
    out.merge(parse_segment_listing(json));
  }
  return out;
}

}  // namespace ballast::components::pgbackrest
