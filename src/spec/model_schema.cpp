// The spec's tables. Every key, its type, default and documentation is declared here once;
// parsing, defaults, per-field checks and `ballast spec explain` all read these tables.
#include "spec/model_schema.h"

#include "spec/checks.h"

namespace ballast::spec {
const std::vector<EnumEntry<RepositoryType>>& enum_table(Tag<RepositoryType>) {
  static const std::vector<EnumEntry<RepositoryType>> t = {{"posix", RepositoryType::kPosix},
                                                           {"s3", RepositoryType::kS3}};
  return t;
}
const std::vector<EnumEntry<LockMode>>& enum_table(Tag<LockMode>) {
  static const std::vector<EnumEntry<LockMode>> t = {{"governance", LockMode::kGovernance},
                                                     {"compliance", LockMode::kCompliance}};
  return t;
}
const std::vector<EnumEntry<Tier>>& enum_table(Tag<Tier>) {
  static const std::vector<EnumEntry<Tier>> t = {{"shared", Tier::kShared},
                                                 {"dedicated", Tier::kDedicated}};
  return t;
}
const std::vector<EnumEntry<EnvironmentKind>>& enum_table(Tag<EnvironmentKind>) {
  static const std::vector<EnumEntry<EnvironmentKind>> t = {
      {"staging", EnvironmentKind::kStaging}, {"development", EnvironmentKind::kDevelopment}};
  return t;
}
const std::vector<EnumEntry<OdooVersion>>& enum_table(Tag<OdooVersion>) {
  static const std::vector<EnumEntry<OdooVersion>> t = {
      {"16.0", OdooVersion::k16}, {"17.0", OdooVersion::k17}, {"18.0", OdooVersion::k18}};
  return t;
}
const std::vector<EnumEntry<EvictionPolicy>>& enum_table(Tag<EvictionPolicy>) {
  static const std::vector<EnumEntry<EvictionPolicy>> t = {
      {"noeviction", EvictionPolicy::kNoEviction},
      {"allkeys-lru", EvictionPolicy::kAllKeysLru},
      {"volatile-lru", EvictionPolicy::kVolatileLru},
      {"allkeys-lfu", EvictionPolicy::kAllKeysLfu},
      {"volatile-lfu", EvictionPolicy::kVolatileLfu}};
  return t;
}
const std::vector<EnumEntry<Weekday>>& enum_table(Tag<Weekday>) {
  static const std::vector<EnumEntry<Weekday>> t = {{"mon", Weekday::kMon}, {"tue", Weekday::kTue},
                                                    {"wed", Weekday::kWed}, {"thu", Weekday::kThu},
                                                    {"fri", Weekday::kFri}, {"sat", Weekday::kSat},
                                                    {"sun", Weekday::kSun}};
  return t;
}

const ObjectDef& schema(Tag<Spec>) {
  static const ObjectDef def{
      "spec",
      "A Ballast installation: the platform, where backups go, and every tenant.",
      {field("version", &Spec::version, "Format version of this file; only 1 exists.", "1",
             Presence::kOptional,
             Check<std::uint32_t>([](const std::uint32_t& v) -> std::optional<std::string> {
               if (v == 1) return std::nullopt;
               return "version " + std::to_string(v) + " is not supported; use 1";
             })),
       required("platform", &Spec::platform, "Settings of the whole installation."),
       field("security", &Spec::security, "Who must agree before privileged actions run.", "{}"),
       field("repositories", &Spec::repositories, "Where backups are stored."),
       field("plans", &Spec::plans, "Quotas a tenant can be given."),
       field("pools", &Spec::pools, "Shared multi-tenant stacks."),
       field("stacks", &Spec::stacks, "Dedicated stacks, one tenant each."),
       field("calendars", &Spec::calendars, "Business calendars: change windows and freezes."),
       field("tenants", &Spec::tenants, "Customer environments hosted on the platform.")}};
  return def;
}

const ObjectDef& schema(Tag<Platform>) {
  static const ObjectDef def{
      "platform",
      "Settings of the whole installation.",
      {required("name", &Platform::name, "Name of the installation, shown in reports.",
                Check<std::string>(checks::dns_label)),
       field("state_dir", &Platform::state_dir,
             "Directory holding the catalog, keys, logs and component data (relative to this "
             "file).",
             "state"),
       required("ingress", &Platform::ingress, "Where tenants' HTTP traffic comes in."),
       field("api", &Platform::api, "Loopback address of the daemon's REST API.", "127.0.0.1:7480"),
       field("api_tls", &Platform::api_tls,
             "Serve the API over TLS with a certificate from the local CA (<state_dir>/ca/ca.crt).",
             "false"),
       field("trash_retention", &Platform::trash_retention,
             "How long a deleted tenant's data is kept in the trash before it is purged.", "7d"),
       field("odoo", &Platform::odoo, "The Odoo application profile every tenant runs.", "{}")}};
  return def;
}

const ObjectDef& schema(Tag<Security>) {
  static const ObjectDef def{
      "security",
      "Access and trust settings beyond tokens and TOTP (docs/security.md).",
      {field("approvals", &Security::approvals,
             "Actions that need a second approver: the request is parked (202, a pending change) "
             "until a different platform admin approves it with its own TOTP code. Any of "
             "tenant.delete, restore.in_place, secret.rotate, token.create.platform-admin, "
             "shutdown, master-key.rotate.",
             "[]")}};
  return def;
}

const ObjectDef& schema(Tag<Ingress>) {
  static const ObjectDef def{
      "ingress",
      "The reverse proxy (HAProxy) in front of every tenant.",
      {field("http", &Ingress::http, "Address HAProxy listens on for HTTP.", "127.0.0.1:8080"),
       field("https", &Ingress::https, "Address HAProxy listens on for HTTPS; unset: no TLS."),
       required("base_domain", &Ingress::base_domain,
                "Domain under which default tenant and environment hostnames are made.",
                Check<std::string>(checks::dns_name)),
       field("tls", &Ingress::tls,
             "Default certificate (served without SNI; must cover base_domain) as PEM files; "
             "unset: issued by the local CA. Only with https.")}};
  return def;
}

const ObjectDef& schema(Tag<OdooProfile>) {
  static const ObjectDef def{
      "odoo",
      "How Odoo is run for tenants.",
      {field("version", &OdooProfile::version, "Odoo series.", "\"18.0\""),
       field("source", &OdooProfile::source,
             "Odoo source tree containing odoo-bin (relative to this file). Unset: the demo uses "
             "the test stand-in."),
       field("addons_paths", &OdooProfile::addons_paths, "Extra addons directories."),
       field("modules", &OdooProfile::modules,
             "Modules installed in every tenant's template database.",
             "[base, web, hr_timesheet, account]")}};
  return def;
}

const ObjectDef& schema(Tag<Retention>) {
  static const ObjectDef def{"retention",
                             "Grandfather-father-son retention of backups.",
                             {field("daily", &Retention::daily, "Daily backups kept.", "7"),
                              field("weekly", &Retention::weekly, "Weekly backups kept.", "4"),
                              field("monthly", &Retention::monthly, "Monthly backups kept.", "3")}};
  return def;
}

const ObjectDef& schema(Tag<ObjectLock>) {
  static const ObjectDef def{
      "object_lock",
      "S3 Object Lock: objects cannot be deleted or changed until a date.",
      {field("mode", &ObjectLock::mode, "governance (admins may lift it) or compliance.",
             "governance"),
       required("period", &ObjectLock::period, "How long each object stays locked.",
                Check<Duration>(checks::positive))}};
  return def;
}

}  // namespace ballast::spec
