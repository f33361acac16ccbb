// Master-key rotation that a crash at any moment leaves readable (docs/formats/state-dir.md).
//
//   1. stage:   the new key is written to master.key.next (0600, fsynced, atomic rename);
//   2. reseal:  every secret is re-sealed under it in one transaction; rows record its key id;
//   3. promote: master.key.next is renamed over master.key and the directory fsynced.
//
// A crash before 2 commits leaves the rows under the old key; after, under the new one. On
// open, recover_master_key_rotation() looks at the key id the rows carry and either finishes
// step 3 or discards master.key.next — so master.key always matches the rows it opens.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "catalog/secret_store.h"
#include "catalog/sqlite.h"
#include "core/crypto.h"

namespace ballast::catalog {

inline constexpr std::string_view kNextMasterKeyFile = "master.key.next";

struct KeyRotation {
  std::string old_key_id;
  std::string new_key_id;
  std::int64_t secrets = 0;  // how many were re-sealed
};

// Step 1: a fresh key in master.key.next. kIo/kNoSpace when it cannot be written.
core::Result<core::SecretBox> stage_master_key(const std::filesystem::path& state_dir);
// Step 3: master.key.next becomes master.key.
core::Status promote_master_key(const std::filesystem::path& state_dir);
// Resolves a rotation a crash interrupted (see above); nothing to do without master.key.next.
// kCorrupt when the rows are sealed under two keys at once.
core::Status recover_master_key_rotation(const std::filesystem::path& state_dir, Database& db);

// Steps 1–3. Afterwards `secrets` seals and opens with the new key. Not to be run by two
// processes at once: the daemon does it, or the CLI while holding the daemon's lock.
core::Result<KeyRotation> rotate_master_key(const std::filesystem::path& state_dir,
                                            SecretStore& secrets);

}  // namespace ballast::catalog
