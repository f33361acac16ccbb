// The file store as a tar stream (libarchive, pax): written into a Sink, read back from an
// object through the decrypting pipeline and extracted with paths confined to the target.
#pragma once

#include <filesystem>
#include <functional>

#include "backup/stream/sink.h"

namespace ballast::backup {

// Writes every regular file under `dir` (paths relative to it) as a tar stream into `sink`,
// then finishes it. Bytes read so far are reported to `progress`.
core::Status write_tar(const std::filesystem::path& dir, Sink& sink,
                       const std::function<void(std::uint64_t)>& progress = nullptr);

// Extracts a tar stream produced by `next_chunk` (which returns "" at the end) into `dir`;
// entries that would escape `dir` (absolute, "..", links) are refused as kCorrupt.
core::Status extract_tar(const std::function<core::Result<std::string>()>& next_chunk,
                         const std::filesystem::path& dir);

}  // namespace ballast::backup
