// Schema tables for tenants, their environments and continuity targets.
#include "spec/checks.h"
#include "spec/model_schema.h"

namespace ballast::spec {
const ObjectDef& schema(Tag<Target>) {
  static const ObjectDef def{
      "target",
      "Continuity targets of one business process.",
      {field("rpo", &Target::rpo, "Recovery point objective: the most data that may be lost.", "1h",
             Presence::kOptional, Check<Duration>(checks::positive)),
       field("rto", &Target::rto, "Recovery time objective: the longest time to be back.", "4h",
             Presence::kOptional, Check<Duration>(checks::positive))}};
  return def;
}

const ObjectDef& schema(Tag<Continuity>) {
  static const ObjectDef def{
      "continuity",
      "Targets per business process; drills measure against them.",
      {field("timesheets", &Continuity::timesheets, "Capturing time spent.", "{rpo: 1h, rto: 4h}"),
       field("billing", &Continuity::billing, "Invoicing.", "{rpo: 1h, rto: 4h}"),
       field("reporting", &Continuity::reporting, "Reports and exports.", "{rpo: 24h, rto: 24h}")}};
  return def;
}

const ObjectDef& schema(Tag<Environment>) {
  static const ObjectDef def{
      "environment",
      "A non-production copy of a tenant, neutralized (no mail out, no crons).",
      {required("name", &Environment::name, "Name (e.g. staging).",
                Check<std::string>(checks::dns_label)),
       field("kind", &Environment::kind, "staging or development.", "staging"),
       field("domains", &Environment::domains, "Hostnames; empty: <tenant>-<name>.<base_domain>.",
             "", Presence::kOptional, Check<std::vector<std::string>>(checks::dns_names))}};
  return def;
}

const ObjectDef& schema(Tag<TlsFiles>) {
  static const ObjectDef def{
      "tls",
      "A certificate supplied as PEM files instead of one issued by the local CA. Checked by "
      "'ballast validate' and at every apply: readable, the key matches, valid now, every domain "
      "covered; a warning within 14 days of expiry.",
      {required("certificate", &TlsFiles::certificate,
                "PEM file with the certificate first, then its intermediates (relative to this "
                "file).",
                Check<std::string>(checks::not_empty)),
       required("key", &TlsFiles::key,
                "PEM file with the certificate's private key, unencrypted (relative to this file).",
                Check<std::string>(checks::not_empty))}};
  return def;
}

const ObjectDef& schema(Tag<Tenant>) {
  static const ObjectDef def{
      "tenant",
      "One customer: a database, a file store, Odoo processes, hostnames, a plan.",
      {required("name", &Tenant::name, "Name; also its database and Redis key prefix.",
                Check<std::string>(checks::dns_label)),
       field("display_name", &Tenant::display_name, "Customer name shown in reports."),
       field("tier", &Tenant::tier, "shared (in a pool) or dedicated (its own stack).", "shared"),
       field("pool", &Tenant::pool, "The pool of a shared tenant."),
       field("stack", &Tenant::stack, "The stack of a dedicated tenant."),
       required("plan", &Tenant::plan, "The plan giving its quotas."),
       field("domains", &Tenant::domains, "Hostnames; empty: <tenant>.<base_domain>.", "",
             Presence::kOptional, Check<std::vector<std::string>>(checks::dns_names)),
       field("environments", &Tenant::environments, "Staging and development copies."),
       field("calendar", &Tenant::calendar, "Business calendar (change windows, freezes)."),
       field("continuity", &Tenant::continuity, "RPO and RTO per business process.", "{}"),
       field("modules", &Tenant::modules, "Odoo modules beyond the platform's."),
       field("tls", &Tenant::tls,
             "Its certificate as PEM files, covering every domain; unset: issued by the local "
             "CA. Only with platform.ingress.https.")}};
  return def;
}

}  // namespace ballast::spec
