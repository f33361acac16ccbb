// Error values: one table of codes (HTTP status, exit code, meaning) and the Error type.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace ballast::core {

// Exit codes of the `ballast` command (DESIGN.md: 0 ok, 1 failed, 2 bad input).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitBadInput = 2;
// Accepted but not done: the request waits for a second approver.
inline constexpr int kExitPending = 3;

enum class ErrorCode : std::uint8_t {
  kInvalidArgument,
  kSpecInvalid,
  kNotFound,
  kAlreadyExists,
  kConflict,
  kConfirmationRequired,
  kUnauthenticated,
  kPermissionDenied,
  kSecondFactorRequired,
  kApprovalPending,
  kRateLimited,
  kPayloadTooLarge,
  kPreconditionFailed,
  kLocked,
  kUnavailable,
  kTimeout,
  kIo,
  kNoSpace,
  kCorrupt,
  kComponentFailed,
  kCancelled,
  kUnimplemented,
  kInternal,
};

struct ErrorCodeInfo {
  ErrorCode code;
  std::string_view name;  // stable, snake_case: appears in JSON output and the API
  int http_status;
  int exit_code;
  std::string_view meaning;  // one sentence for docs/errors.md
};

// The one table of error codes. docs/errors.md is generated from it (`ballast docs errors`).
inline constexpr std::array kErrorCodes = {
    ErrorCodeInfo{ErrorCode::kInvalidArgument, "invalid_argument", 400, kExitBadInput,
                  "A command-line argument or request field is malformed or out of range."},
    ErrorCodeInfo{ErrorCode::kSpecInvalid, "spec_invalid", 400, kExitBadInput,
                  "The spec file cannot be read, parsed or validated; every problem is listed."},
    ErrorCodeInfo{ErrorCode::kNotFound, "not_found", 404, kExitFailed,
                  "The named object (tenant, backup, repository, file…) does not exist."},
    ErrorCodeInfo{ErrorCode::kAlreadyExists, "already_exists", 409, kExitFailed,
                  "An object with that name already exists."},
    ErrorCodeInfo{ErrorCode::kConflict, "conflict", 409, kExitFailed,
                  "The request conflicts with the current state (e.g. a tenant is suspended)."},
    ErrorCodeInfo{ErrorCode::kConfirmationRequired, "confirmation_required", 400, kExitBadInput,
                  "A destructive action was asked for without its explicit confirmation."},
    ErrorCodeInfo{ErrorCode::kUnauthenticated, "unauthenticated", 401, kExitFailed,
                  "No valid API token was presented."},
    ErrorCodeInfo{ErrorCode::kPermissionDenied, "permission_denied", 403, kExitFailed,
                  "The token is valid but its role does not allow this action."},
    ErrorCodeInfo{ErrorCode::kSecondFactorRequired, "second_factor_required", 403, kExitFailed,
                  "The action is privileged and needs a valid TOTP code (and maybe approval)."},
    ErrorCodeInfo{ErrorCode::kApprovalPending, "approval_pending", 202, kExitPending,
                  "Not done yet: the request waits for a second approver (security.approvals)."},
    ErrorCodeInfo{ErrorCode::kRateLimited, "rate_limited", 429, kExitFailed,
                  "Too many requests for this token; retry later."},
    ErrorCodeInfo{ErrorCode::kPayloadTooLarge, "payload_too_large", 413, kExitBadInput,
                  "The request or file is larger than the limit."},
    ErrorCodeInfo{ErrorCode::kPreconditionFailed, "precondition_failed", 412, kExitFailed,
                  "Something the action needs first is missing (e.g. a backup before upgrade)."},
    ErrorCodeInfo{ErrorCode::kLocked, "locked", 423, kExitFailed,
                  "Another process holds the lock (e.g. a daemon already runs on this state)."},
    ErrorCodeInfo{ErrorCode::kUnavailable, "unavailable", 503, kExitFailed,
                  "A component or the daemon cannot be reached."},
    ErrorCodeInfo{ErrorCode::kTimeout, "timeout", 504, kExitFailed,
                  "An operation did not finish within its deadline."},
    ErrorCodeInfo{ErrorCode::kIo, "io_error", 500, kExitFailed,
                  "Reading or writing a file, pipe or socket failed."},
    ErrorCodeInfo{ErrorCode::kNoSpace, "no_space", 507, kExitFailed,
                  "A disk or repository ran out of space; nothing partial was kept."},
    ErrorCodeInfo{ErrorCode::kCorrupt, "corrupt", 500, kExitFailed,
                  "Stored data failed a checksum or authenticity check."},
    ErrorCodeInfo{ErrorCode::kComponentFailed, "component_failed", 502, kExitFailed,
                  "A real component (PostgreSQL, Redis, HAProxy, pgBackRest, Odoo) failed."},
    ErrorCodeInfo{ErrorCode::kCancelled, "cancelled", 499, kExitFailed,
                  "The operation was cancelled (signal, shutdown) before it finished."},
    ErrorCodeInfo{ErrorCode::kUnimplemented, "unimplemented", 501, kExitFailed,
                  "The feature is not available in this build or on this target."},
    ErrorCodeInfo{ErrorCode::kInternal, "internal", 500, kExitFailed,
                  "A bug in Ballast; the message says where. Please report it."},
};

constexpr const ErrorCodeInfo& info(ErrorCode code) {
  return kErrorCodes.at(static_cast<std::size_t>(code));
}

// Looks a code up by its stable name ("not_found"); kInternal when unknown.
ErrorCode error_code_from_name(std::string_view name);

// An error as a value: what failed (message), what to do next (hint), where in an input file
// (where, "file:line:col"), and the chain of operations that led to it (context, outermost
// last). Messages are lowercase with the object named in quotes; hints are full sentences.
class Error final {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  [[nodiscard]] ErrorCode code() const { return code_; }
  [[nodiscard]] const std::string& message() const { return message_; }
  [[nodiscard]] const std::string& hint() const { return hint_; }
  [[nodiscard]] const std::string& where() const { return where_; }
  [[nodiscard]] const std::vector<std::string>& context() const { return context_; }
  [[nodiscard]] std::string_view code_name() const { return info(code_).name; }
  [[nodiscard]] int http_status() const { return info(code_).http_status; }
  [[nodiscard]] int exit_code() const { return info(code_).exit_code; }

  Error& with_hint(std::string hint) & {
    hint_ = std::move(hint);
    return *this;
  }
  Error&& with_hint(std::string hint) && {
    hint_ = std::move(hint);
    return std::move(*this);
  }
  Error& with_where(std::string where) & {
    where_ = std::move(where);
    return *this;
  }
  Error&& with_where(std::string where) && {
    where_ = std::move(where);
    return std::move(*this);
  }
  // Adds what was being done when the error happened ("creating tenant 'acme'").
  Error&& with_context(std::string what) && {
    context_.push_back(std::move(what));
    return std::move(*this);
  }

  // "where: message" plus " (while …)" context; no hint.
  [[nodiscard]] std::string to_string() const;

 private:
  ErrorCode code_;
  std::string message_;
  std::string hint_;
  std::string where_;
  std::vector<std::string> context_;
};

template <typename... Args>
Error make_error(ErrorCode code, fmt::format_string<Args...> format, Args&&... args) {
  return Error(code, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace ballast::core
