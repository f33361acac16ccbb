// Odoo's own backup format (the zip that Odoo.sh, Odoo Online and the database manager make):
// dump.sql (plain SQL, no owners), filestore/ and manifest.json. Customers can come and go.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace ballast::backup {

// Writes the zip at `path` from a plain SQL dump file, a file-store folder and the manifest.
core::Status write_odoo_zip(const std::filesystem::path& path,
                            const std::filesystem::path& dump_sql,
                            const std::filesystem::path& filestore, const nlohmann::json& manifest);

struct OdooZip {
  std::filesystem::path dump_sql;   // extracted
  std::filesystem::path filestore;  // extracted (may be empty)
  nlohmann::json manifest;
};

// Extracts `path` into `dir`: kCorrupt when it is not an Odoo backup (no dump.sql) or holds an
// unsafe path; kPayloadTooLarge beyond `max_bytes` uncompressed.
core::Result<OdooZip> read_odoo_zip(const std::filesystem::path& path,
                                    const std::filesystem::path& dir,
                                    std::uint64_t max_bytes = 200ULL << 30);

}  // namespace ballast::backup
