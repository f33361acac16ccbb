#include "backup/manifest.h"

namespace ballast::backup {

const Part* Manifest::part(std::string_view name) const {
  for (const auto& p : parts) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::string backup_prefix(const std::string& tenant, const std::string& id) {
  return "tenants/" + tenant + "/" + id + "/";
}

nlohmann::json to_json(const Manifest& m) {
  nlohmann::json parts = nlohmann::json::array();
  for (const auto& p : m.parts) {
    parts.push_back({{"name", p.name},
                     {"key", p.key},
                     {"plain_bytes", p.plain_bytes},
                     {"plain_sha256", p.plain_sha256},
                     {"stored_bytes", p.stored_bytes},
                     {"stored_sha256", p.stored_sha256}});
  }
  return {{"format", m.format},
          {"tenant", m.tenant},
          {"id", m.id},
          {"repository", m.repository},
          {"started_at", core::format_rfc3339_ms(m.started_at)},
          {"finished_at", core::format_rfc3339_ms(m.finished_at)},
          {"postgres_version", m.postgres_version},
          {"odoo_version", m.odoo_version},
          {"modules", m.modules},
          {"lsn", m.lsn},
          {"point_in_time", core::format_rfc3339_ms(m.point_in_time)},
          {"reason", m.reason},
          {"key_generation", m.key_generation},
          {"checks", m.checks},
          {"parts", parts}};
}

core::Result<Manifest> manifest_from_json(const nlohmann::json& j) {
  if (!j.is_object() || j.value("format", 0) != 1 || !j.contains("parts")) {
    return core::Error(core::ErrorCode::kCorrupt, "the backup manifest is not a format-1 manifest");
  }
  Manifest m;
  m.tenant = j.value("tenant", "");
  m.id = j.value("id", "");
  m.repository = j.value("repository", "");
  m.started_at = core::parse_rfc3339(j.value("started_at", "")).value_or(core::SystemTime{});
  m.finished_at = core::parse_rfc3339(j.value("finished_at", "")).value_or(core::SystemTime{});
  m.postgres_version = j.value("postgres_version", "");
  m.odoo_version = j.value("odoo_version", "");
  if (j.contains("modules")) m.modules = j["modules"].get<std::vector<std::string>>();
  m.lsn = j.value("lsn", "");
  m.point_in_time = core::parse_rfc3339(j.value("point_in_time", "")).value_or(core::SystemTime{});
  m.reason = j.value("reason", "");
  m.key_generation = j.value("key_generation", 0U);
  m.checks = j.value("checks", nlohmann::json::object());
  for (const auto& p : j["parts"]) {
    m.parts.push_back({p.value("name", ""), p.value("key", ""), p.value("plain_bytes", 0ULL),
                       p.value("plain_sha256", ""), p.value("stored_bytes", 0ULL),
                       p.value("stored_sha256", "")});
  }
  return m;
}

}  // namespace ballast::backup
