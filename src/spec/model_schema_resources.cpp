// Schema tables for repositories, plans, pools, stacks and calendars.
#include "spec/checks.h"
#include "spec/model_schema.h"

namespace ballast::spec {
namespace {

std::optional<std::string> clock_time(const std::string& t) {
  const bool ok = t.size() == 5 && t[2] == ':' && std::isdigit(t[0]) && std::isdigit(t[1]) &&
                  std::isdigit(t[3]) && std::isdigit(t[4]) && std::stoi(t.substr(0, 2)) < 24 &&
                  std::stoi(t.substr(3)) < 60;
  if (ok) return std::nullopt;
  return "'" + t + "' is not a time of day (HH:MM, e.g. 02:30)";
}

std::optional<std::string> iso_date(const std::string& d) {
  const bool ok =
      d.size() == 10 && d[4] == '-' && d[7] == '-' &&
      std::all_of(d.begin(), d.end(), [](char c) { return std::isdigit(c) || c == '-'; });
  if (ok && std::stoi(d.substr(5, 2)) >= 1 && std::stoi(d.substr(5, 2)) <= 12 &&
      std::stoi(d.substr(8, 2)) >= 1 && std::stoi(d.substr(8, 2)) <= 31) {
    return std::nullopt;
  }
  return "'" + d + "' is not a date (YYYY-MM-DD)";
}

std::optional<std::string> month_day(const int& day) {
  if (day != 0 && day >= -31 && day <= 31) return std::nullopt;
  return std::to_string(day) + " is not a day of the month (1 to 31, or -1 for the last day)";
}

}  // namespace

const ObjectDef& schema(Tag<Repository>) {
  static const ObjectDef def{
      "repository",
      "A place where backups are stored.",
      {required("name", &Repository::name, "Name referred to by pools, stacks and commands.",
                Check<std::string>(checks::dns_label)),
       required("type", &Repository::type, "posix (a directory) or s3 (an S3-compatible store)."),
       field("path", &Repository::path, "posix: the directory (relative to this file)."),
       field("endpoint", &Repository::endpoint, "s3: the endpoint URL (https://…)."),
       field("bucket", &Repository::bucket, "s3: the bucket."),
       field("region", &Repository::region, "s3: the region.", "us-east-1"),
       field("prefix", &Repository::prefix, "s3: a key prefix inside the bucket."),
       field("access_key_id_env", &Repository::access_key_id_env,
             "s3: name of the environment variable holding the access key id."),
       field("secret_access_key_env", &Repository::secret_access_key_env,
             "s3: name of the environment variable holding the secret access key."),
       field("verify_tls", &Repository::verify_tls, "s3: verify the endpoint's certificate.",
             "true"),
       field("ca_file", &Repository::ca_file, "s3: CA bundle to verify the endpoint with."),
       field("retention", &Repository::retention, "How many backups are kept.", "{}"),
       field("object_lock", &Repository::object_lock,
             "s3: write objects with Object Lock so they cannot be deleted early.")}};
  return def;
}

const ObjectDef& schema(Tag<Plan>) {
  static const ObjectDef def{
      "plan",
      "Quotas given to a tenant.",
      {required("name", &Plan::name, "Name referred to by tenants.",
                Check<std::string>(checks::dns_label)),
       field("workers", &Plan::workers,
             "Odoo HTTP worker processes; 0 runs Odoo threaded to save memory.", "0"),
       field("cron_workers", &Plan::cron_workers, "Odoo cron threads.", "1"),
       field("memory", &Plan::memory, "Memory limit of the tenant's Odoo processes.", "2GiB"),
       field("db_size", &Plan::db_size, "Database size quota (measured, warned).", "10GiB"),
       field("filestore_size", &Plan::filestore_size, "File store quota (measured, warned).",
             "20GiB"),
       field("connections", &Plan::connections, "PostgreSQL connection limit of the tenant.", "20"),
       field("request_rate", &Plan::request_rate,
             "Requests per client address allowed at the proxy; beyond it: 429.", "50/s")}};
  return def;
}

const ObjectDef& schema(Tag<PostgresSettings>) {
  static const ObjectDef def{
      "postgres",
      "The PostgreSQL 15 cluster of a pool or stack.",
      {field("port", &PostgresSettings::port, "Loopback port; 0 allocates one and keeps it.", "0"),
       field("max_connections", &PostgresSettings::max_connections, "max_connections.", "100"),
       field("shared_buffers", &PostgresSettings::shared_buffers, "shared_buffers.", "128MiB"),
       field("standby", &PostgresSettings::standby,
             "Run a synchronous standby under Patroni (dedicated stacks).", "false")}};
  return def;
}

const ObjectDef& schema(Tag<RedisSettings>) {
  static const ObjectDef def{
      "redis",
      "The Redis 7 server of a pool or stack.",
      {field("port", &RedisSettings::port, "Loopback port; 0 allocates one and keeps it.", "0"),
       field("maxmemory", &RedisSettings::maxmemory, "maxmemory.", "256MiB"),
       field("maxmemory_policy", &RedisSettings::maxmemory_policy, "Eviction policy.",
             "allkeys-lru")}};
  return def;
}

const ObjectDef& schema(Tag<BackupSchedule>) {
  static const ObjectDef def{
      "schedule",
      "How often each kind of backup runs.",
      {field("full", &BackupSchedule::full, "Full cluster backup (pgBackRest).", "7d"),
       field("differential", &BackupSchedule::differential, "Differential cluster backup.", "1d"),
       field("incremental", &BackupSchedule::incremental, "Incremental cluster backup.", "1h"),
       field("tenant", &BackupSchedule::tenant, "Encrypted streaming backup of each tenant.", "1d"),
       field("verify", &BackupSchedule::verify, "pgbackrest verify of the repository.", "1d"),
       field("drill", &BackupSchedule::drill,
             "Restore drill of each tenant: recovered in a sandbox, checked, journeys run on the "
             "copy (one drill at a time per cluster).",
             "7d")}};
  return def;
}

const ObjectDef& schema(Tag<BackupPolicy>) {
  static const ObjectDef def{
      "backup",
      "Backups of a pool's or stack's PostgreSQL cluster and tenants.",
      {field("repositories", &BackupPolicy::repositories,
             "Repositories written to; the first is primary, others hold copies."),
       field("schedule", &BackupPolicy::schedule, "How often backups run.", "{}"),
       field("process_max", &BackupPolicy::process_max, "Parallel pgBackRest processes.", "2")}};
  return def;
}

const ObjectDef& schema(Tag<Pool>) {
  static const ObjectDef def{
      "pool",
      "A shared multi-tenant stack: one PostgreSQL, one Redis, shared ingress.",
      {required("name", &Pool::name, "Name referred to by tenants.",
                Check<std::string>(checks::dns_label)),
       field("max_tenants", &Pool::max_tenants, "Most tenants the pool accepts; 0: no limit.", "0"),
       field("postgres", &Pool::postgres, "The pool's PostgreSQL cluster.", "{}"),
       field("redis", &Pool::redis, "The pool's Redis.", "{}"),
       field("backup", &Pool::backup, "The pool's backups.", "{}")}};
  return def;
}

const ObjectDef& schema(Tag<Stack>) {
  static const ObjectDef def{
      "stack",
      "A dedicated stack: its own PostgreSQL and Redis for one tenant.",
      {required("name", &Stack::name, "Name referred to by its tenant.",
                Check<std::string>(checks::dns_label)),
       field("postgres", &Stack::postgres, "The stack's PostgreSQL cluster.", "{}"),
       field("redis", &Stack::redis, "The stack's Redis.", "{}"),
       field("backup", &Stack::backup, "The stack's backups.", "{}")}};
  return def;
}

const ObjectDef& schema(Tag<MonthlyDays>) {
  static const ObjectDef def{
      "monthly",
      "Days of every month; negative days count from the month's end.",
      {required("from_day", &MonthlyDays::from_day, "First day (e.g. -2: second-to-last day).",
                Check<int>(month_day)),
       required("to_day", &MonthlyDays::to_day, "Last day, inclusive (e.g. 3).",
                Check<int>(month_day))}};
  return def;
}

const ObjectDef& schema(Tag<DateRange>) {
  static const ObjectDef def{
      "dates",
      "A range of calendar dates, inclusive.",
      {required("from", &DateRange::from, "First date (YYYY-MM-DD).", Check<std::string>(iso_date)),
       required("to", &DateRange::to, "Last date (YYYY-MM-DD).", Check<std::string>(iso_date))}};
  return def;
}

const ObjectDef& schema(Tag<Freeze>) {
  static const ObjectDef def{
      "freeze",
      "A period in which no change may be made (e.g. month-end billing).",
      {required("name", &Freeze::name, "Name shown when a change is refused.",
                Check<std::string>(checks::dns_label)),
       field("monthly", &Freeze::monthly, "Recurring every month."),
       field("dates", &Freeze::dates, "A one-off range of dates.")}};
  return def;
}

const ObjectDef& schema(Tag<ChangeWindow>) {
  static const ObjectDef def{
      "change_window",
      "When changes may be made.",
      {required("name", &ChangeWindow::name, "Name of the window.",
                Check<std::string>(checks::dns_label)),
       required("days", &ChangeWindow::days, "Days of the week (mon … sun)."),
       required("from", &ChangeWindow::from, "Start time (HH:MM).", Check<std::string>(clock_time)),
       required("to", &ChangeWindow::to, "End time (HH:MM); before 'from' means overnight.",
                Check<std::string>(clock_time))}};
  return def;
}

const ObjectDef& schema(Tag<Calendar>) {
  static const ObjectDef def{
      "calendar",
      "Business windows of a tenant, in its time zone.",
      {required("name", &Calendar::name, "Name referred to by tenants.",
                Check<std::string>(checks::dns_label)),
       required("timezone", &Calendar::timezone, "IANA time zone, e.g. Europe/Brussels."),
       field("change_windows", &Calendar::change_windows, "When changes may be made."),
       field("freezes", &Calendar::freezes, "When no change may be made.")}};
  return def;
}

}  // namespace ballast::spec
