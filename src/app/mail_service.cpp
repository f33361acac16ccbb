// Platform: the mail that copies (staging, development) sent to the platform's catcher. A
// production tenant's mail is delivered by its own servers and never caught.
#include <fmt/format.h>

#include "app/platform.h"
#include "core/text.h"

namespace ballast::app {
namespace {

// Mail is bytes; the API and the CLI print JSON with invalid UTF-8 replaced (U+FFFD), so an
// odd message in another charset cannot break a listing.
nlohmann::json summary(const catalog::CaughtMail& m) {
  return {{"id", m.id},           {"received_at", core::format_rfc3339(m.received_at)},
          {"from", m.mail_from},  {"to", m.recipients},
          {"subject", m.subject}, {"size_bytes", m.size_bytes}};
}

}  // namespace

core::Result<catalog::TenantRecord> Platform::mail_tenant(const std::string& tenant) {
  BALLAST_ASSIGN_OR_RETURN(auto record, catalog_->tenants().find(tenant));
  if (!record.has_value()) {
    return core::make_error(core::ErrorCode::kNotFound, "tenant '{}' does not exist", tenant)
        .with_hint("List tenants with 'ballast tenant list'.");
  }
  if (record->is_production()) {
    std::vector<std::string> copies;
    if (auto all = catalog_->tenants().list(); all.has_value()) {
      for (const auto& t : *all) {
        if (t.parent == tenant) copies.push_back(t.name);
      }
    }
    std::string hint =
        copies.empty()
            ? fmt::format(
                  "Only copies' mail is caught, and '{}' has none: make one with 'ballast "
                  "env create {} --as staging'.",
                  tenant, tenant)
            : fmt::format(
                  "Only copies' mail is caught: read one of '{}' with 'ballast mail list "
                  "{}'.",
                  core::join(copies, "', '"), copies.front());
    return core::make_error(core::ErrorCode::kPreconditionFailed,
                            "tenant '{}' is production: its mail is delivered, not caught", tenant)
        .with_hint(hint);
  }
  return *std::move(record);
}

core::Result<nlohmann::json> Platform::mail_list(const std::string& tenant, std::size_t limit) {
  BALLAST_ASSIGN_OR_RETURN(auto record, mail_tenant(tenant));
  BALLAST_ASSIGN_OR_RETURN(auto messages, catalog_->mail().list(tenant, limit));
  BALLAST_ASSIGN_OR_RETURN(const auto total, catalog_->mail().count(tenant));
  auto out = nlohmann::json::array();
  for (const auto& m : messages) out.push_back(summary(m));
  nlohmann::json json = {
      {"tenant", tenant}, {"environment", record.environment}, {"total", total}, {"messages", out}};
  const auto port = app_ ? app_->mail_catcher_port(tenant) : std::nullopt;
  json["catching"] = port.has_value();
  if (port) json["catcher"] = fmt::format("127.0.0.1:{}", *port);
  return json;
}

core::Result<nlohmann::json> Platform::mail_show(const std::string& tenant, std::int64_t id) {
  BALLAST_TRY(mail_tenant(tenant));
  BALLAST_ASSIGN_OR_RETURN(auto mail, catalog_->mail().get(tenant, id));
  auto json = summary(mail);
  json["tenant"] = tenant;
  json["message"] = mail.message;
  return json;
}

core::Result<nlohmann::json> Platform::mail_clear(const std::string& tenant,
                                                  const std::string& confirm, const Actor& actor) {
  BALLAST_TRY(mail_tenant(tenant));
  if (confirm != tenant) {
    auto error = core::make_error(core::ErrorCode::kConfirmationRequired,
                                  "forgetting the caught mail of '{}' needs confirmation", tenant)
                     .with_hint(fmt::format(
                         "Repeat its name: 'ballast mail clear {} --confirm {}'.", tenant, tenant));
    BALLAST_TRY(audit(actor, "mail.clear", "tenant/" + tenant, core::Status(error)));
    return error;
  }
  auto removed = catalog_->mail().clear(tenant);
  BALLAST_TRY(audit(actor, "mail.clear", "tenant/" + tenant,
                    removed.has_value() ? core::ok() : core::Status(removed.error()),
                    {{"messages", removed.value_or(0)}}));
  if (!removed.has_value()) return std::move(removed).error();
  return nlohmann::json{{"tenant", tenant}, {"removed", *removed}};
}

}  // namespace ballast::app
