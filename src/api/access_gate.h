// The daemon's gate: tokens from the catalog, TOTP second factors, per-token rate limits,
// and refusals of changes appended to the audit chain.
#pragma once

#include "api/gate.h"
#include "app/platform.h"
#include "security/access_control.h"

namespace ballast::api {

// Both must outlive the gate.
Gate access_gate(app::Platform& platform, security::AccessControl& access);

}  // namespace ballast::api
