// Internal to the renderer: the pieces a unit is made of, one group per file, and the names of
// a tenant's objects (one place, so the objects that refer to each other agree).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runtime/kubernetes/document.h"
#include "runtime/kubernetes/layout.h"
#include "runtime/kubernetes/sizing.h"

namespace ballast::runtime::kubernetes {

inline constexpr std::int64_t kOdooHttpPort = 8069;
inline constexpr std::int64_t kOdooGeventPort = 8072;
inline constexpr std::int64_t kPostgresPort = 5432;
inline constexpr std::int64_t kRedisPort = 6379;
inline constexpr std::int64_t kRedisExporterPort = 9121;
inline constexpr std::int64_t kSmtpCatcherPort = 1025;
inline constexpr std::string_view kMailCatcher = "mail-catcher";
inline constexpr std::string_view kRedis = "redis";
inline constexpr std::string_view kJobsAccount = "ballast-jobs";
inline constexpr std::string_view kApiTokenSecret = "ballast-api";

struct TenantNames {
  std::string web;        // Deployment, Service, PDB and HPA of the HTTP workers
  std::string websocket;  // Deployment and Service of the gevent (websocket) process
  std::string cron;       // the single cron runner
  std::string web_service;
  std::string websocket_service;
  std::string config;         // ConfigMap holding odoo.conf
  std::string data;           // ReadWriteMany volume: file store and sessions
  std::string account;        // ServiceAccount of the Odoo pods
  std::string db_secret;      // username/password of the PostgreSQL role
  std::string odoo_secret;    // admin_passwd, redis_password
  std::string backup_secret;  // encryption key of the tenant's backups
  std::string tls_secret;     // certificate, unless a resolver is configured
};

TenantNames tenant_names(std::string_view tenant);

// The CloudNativePG Cluster of a site: its name, cut so that the operator's derived names
// ("<cluster>-rw", "<cluster>-12-wal") stay within 63 characters.
std::string cluster_name(const Site& site);

// The Secret holding an S3 repository's keys in each namespace that uses it.
std::string s3_secret(const spec::Repository& repo);

// Pod labels selecting one component ("web", "websocket", "cron") of a tenant's Odoo.
Json odoo_selector(const TenantEnvironment& tenant, std::string_view component);

// odoo.conf without secrets (the init container appends db_password and admin_passwd).
std::string odoo_conf(const Scope& scope, const TenantEnvironment& tenant, const OdooSizing& size);

// Tenant unit, by file.
std::vector<Json> odoo_objects(const Scope& scope, const TenantEnvironment& tenant);  // odoo.yaml
std::vector<Json> route_objects(const Scope& scope,
                                const TenantEnvironment& tenant);                    // routes.yaml
std::vector<Json> job_objects(const Scope& scope, const TenantEnvironment& tenant);  // jobs.yaml
Json database_object(const Scope& scope, const TenantEnvironment& tenant);  // database.yaml
Json alert_rules(const Scope& scope, const TenantEnvironment& tenant);      // alerts.yaml

// Site unit, by file.
std::vector<Json> postgres_objects(const Scope& scope);     // postgres.yaml
std::vector<Json> redis_objects(const Scope& scope);        // redis.yaml
std::vector<Json> policy_objects(const Scope& scope);       // policies.yaml
std::vector<Json> jobs_access_objects(const Scope& scope);  // access.yaml
std::vector<Json> site_monitoring(const Scope& scope);      // monitoring.yaml

// The Ballast jobs' pod labels (all tenants' backup/drill/journey pods in a namespace).
Json job_pod_labels();

}  // namespace ballast::runtime::kubernetes
