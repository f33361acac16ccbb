#include "components/pgbackrest/wal.h"

#include <gtest/gtest.h>

namespace ballast::components::pgbackrest {
namespace {

constexpr std::uint64_t k16MiB = 16ULL << 20;

// What `pgbackrest repo-ls --recurse --output=json archive/<stanza>` answers (shape as of 2.45).
const char* kListing = R"({
  ".": {"type": "path"},
  "15-1": {"type": "path"},
  "15-1/0000000100000000": {"type": "path"},
  "15-1/0000000100000000/000000010000000000000001-0c5d4e2a9b7f1e3d5c6a8b9d0e1f2a3b4c5d6e7f.zst":
      {"type": "file", "size": 1200},
  "15-1/0000000100000000/000000010000000000000002.00000028.backup":
      {"type": "file", "size": 300},
  "15-1/0000000100000000/000000010000000000000002-1c5d4e2a9b7f1e3d5c6a8b9d0e1f2a3b4c5d6e7f.zst":
      {"type": "file", "size": 1200},
  "15-1/0000000100000000/000000010000000000000004-2c5d4e2a9b7f1e3d5c6a8b9d0e1f2a3b4c5d6e7f.zst":
      {"type": "file", "size": 1200},
  "15-1/00000002.history": {"type": "file", "size": 40},
  "archive.info": {"type": "file", "size": 400}
})";

TEST(WalTest, SegmentNamesRoundTrip) {
  const auto s = Segment::parse("0000000200000001000000FF");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->timeline, 2U);
  EXPECT_EQ(s->log, 1U);
  EXPECT_EQ(s->seg, 255U);
  EXPECT_EQ(s->name(), "0000000200000001000000FF");
  EXPECT_EQ(previous_segment("000000020000000100000000", k16MiB), "0000000200000000000000FF");
  EXPECT_EQ(previous_segment("000000020000000100000005", k16MiB), "000000020000000100000004");
  EXPECT_FALSE(previous_segment("000000020000000000000000", k16MiB));
  EXPECT_FALSE(Segment::parse("00000002000000010000FF"));
  EXPECT_FALSE(Segment::parse("0000000200000001000000FG"));
}

TEST(WalTest, AListingYieldsSegmentsButNotBackupOrHistoryFiles) {
  const auto present = parse_segment_listing(nlohmann::json::parse(kListing));
  EXPECT_EQ(present, (std::set<std::string>{"000000010000000000000001", "000000010000000000000002",
                                            "000000010000000000000004"}));
}

TEST(WalTest, AGapInTheWindowIsNamedSegmentBySegment) {
  const auto present = parse_segment_listing(nlohmann::json::parse(kListing));
  auto gap =
      missing_segments("000000010000000000000001", "000000010000000000000004", present, k16MiB);
  ASSERT_TRUE(gap.has_value()) << gap.error().to_string();
  EXPECT_EQ(gap->expected, 4U);
  EXPECT_EQ(gap->missing, std::vector<std::string>{"000000010000000000000003"});
  // The newest segment gone: the window reaches past what the repository holds.
  gap = missing_segments("000000010000000000000002", "000000010000000000000005", present, k16MiB);
  ASSERT_TRUE(gap.has_value());
  EXPECT_EQ(gap->missing,
            (std::vector<std::string>{"000000010000000000000003", "000000010000000000000005"}));
  gap = missing_segments("000000010000000000000001", "000000010000000000000002", present, k16MiB);
  ASSERT_TRUE(gap.has_value());
  EXPECT_TRUE(gap->missing.empty());
}

TEST(WalTest, TheWindowCrossesLogBoundariesAndTimelines) {
  // 16 MiB segments: 256 per log, so ...000000FF is followed by ...0000000100000000.
  const std::set<std::string> present = {"0000000100000000000000FE", "0000000100000000000000FF",
                                         "000000020000000100000000", "000000020000000100000001"};
  auto gap =
      missing_segments("0000000100000000000000FE", "000000020000000100000001", present, k16MiB);
  ASSERT_TRUE(gap.has_value()) << gap.error().to_string();
  EXPECT_EQ(gap->expected, 4U);
  EXPECT_TRUE(gap->missing.empty());
  // 1 GiB segments: 4 per log.
  gap = missing_segments("000000010000000000000003", "000000010000000100000000",
                         {"000000010000000000000003"}, 1ULL << 30);
  ASSERT_TRUE(gap.has_value());
  EXPECT_EQ(gap->missing, std::vector<std::string>{"000000010000000100000000"});
}

TEST(WalTest, FoldersCoverEveryLogOfEveryTimelineInTheRange) {
  EXPECT_EQ(archive_folders("0000000100000000000000FE", "000000020000000100000001"),
            (std::vector<std::string>{"0000000100000000", "0000000100000001", "0000000200000000",
                                      "0000000200000001"}));
  EXPECT_EQ(archive_folders("000000010000000000000003", "000000010000000000000009"),
            std::vector<std::string>{"0000000100000000"});
  EXPECT_TRUE(archive_folders("nonsense", "000000010000000000000009").empty());
}

TEST(WalTest, NonsenseRangesAreRefused) {
  EXPECT_FALSE(missing_segments("000000010000000000000004", "000000010000000000000001", {}, k16MiB)
                   .has_value());
  EXPECT_FALSE(missing_segments("latest", "000000010000000000000001", {}, k16MiB).has_value());
  EXPECT_FALSE(
      missing_segments("000000010000000000000001", "000000010000000000000002", {}, 3).has_value());
}

// `pgbackrest info --output=json` with two repositories: backups of both, in time order, each
// with its repository and the WAL it starts from; archive ranges per repository.
TEST(PgBackRestInfoTest, BackupsAndArchivesOfEveryRepository) {
  const auto json = nlohmann::json::parse(R"([{
    "name": "pool-main",
    "archive": [
        {"database": {"id": 1, "repo-key": 1}, "id": "15-1", "min": "000000010000000000000001",
       "max": "000000010000000000000009"},
      {"database": {"id": 1, "repo-key": 2}, "id": "15-1", "min": "000000010000000000000003",
       "max": null}
    ],
    "backup": [
      {"label": "20261123-070000F", "type": "full", "database": {"id": 1, "repo-key": 1},
       "timestamp": {"start": 1795000000, "stop": 1795000010},
       "archive": {"start": "000000010000000000000002", "stop": "000000010000000000000002"},
       "info": {"size": 100, "repository": {"delta": 10}},
       "lsn": {"start": "0/2000028", "stop": "0/2000100"}},
      {"label": "20261123-070100F", "type": "full", "database": {"id": 1, "repo-key": 2},
       "timestamp": {"start": 1795000005, "stop": 1795000008},
       "archive": {"start": "000000010000000000000003", "stop": "000000010000000000000003"},
       "info": {"size": 100, "repository": {"delta": 11}}}
    ]
  }])");
  const auto info = parse_info(json);
  ASSERT_EQ(info.backups.size(), 2U);
  EXPECT_EQ(info.backups[0].repo, 2) << "oldest stop first";
  EXPECT_EQ(info.backups[1].wal_start, "000000010000000000000002");
  ASSERT_EQ(info.in_repo(1).size(), 1U);
  EXPECT_EQ(info.in_repo(1).front().label, "20261123-070000F");
  ASSERT_EQ(info.archives.size(), 2U);
  EXPECT_EQ(info.archives[1].repo, 2);
  EXPECT_EQ(info.archives[1].id, "15-1");
  EXPECT_EQ(info.archives[1].max, "") << "null is an empty range end";
  EXPECT_EQ(info.wal_max, "000000010000000000000009") << "the first repository's";
}

}  // namespace
}  // namespace ballast::components::pgbackrest
