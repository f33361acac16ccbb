// Odoo's password hashes: passlib's pbkdf2_sha512 format, computed here so Ballast can set a
// tenant's admin password with SQL before Odoo first runs.
#pragma once

#include <string>

#include "core/result.h"
#include "core/secret.h"

namespace ballast::components::odoo {

// "$pbkdf2-sha512$ROUNDS$SALT$HASH", salt and hash in passlib's "ab64" base64 (standard
// alphabet with '.' for '+', no padding). Odoo 18 uses 600000 rounds.
std::string hash_password(const core::Secret& password, unsigned rounds = 600000);
// Checks a password against such a hash; false for any other format.
bool verify_password(const core::Secret& password, const std::string& hash);

}  // namespace ballast::components::odoo
