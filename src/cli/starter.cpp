#include "cli/starter.h"

namespace ballast::cli {

std::string_view starter_spec() {
  return R"yaml(# ballast.yaml — what Ballast runs. Edit, then:
#   ballast validate        check it (every problem at once, with file:line:col)
#   ballast plan            see what would change
#   ballast up --detach     start the platform
#   ballast spec explain tenants.continuity    describe any key
version: 1

platform:
  name: my-hosting              # shown in reports; a DNS label
  state_dir: state              # catalog, keys, logs and data (relative to this file)
  ingress:
    http: 127.0.0.1:8080        # where HAProxy serves tenants
    base_domain: localhost      # tenants get <name>.<base_domain> unless domains are given
  api: 127.0.0.1:7480           # the daemon's REST API (loopback only)
  odoo:
    version: "18.0"
    # source: /opt/odoo/18.0    # an Odoo source tree; unset uses the test stand-in in demos

# Where backups go. posix: a directory; s3: any S3-compatible store.
repositories:
  - name: local
    type: posix
    path: backups
    retention: {daily: 7, weekly: 4, monthly: 3}

# Quotas you sell. workers: 0 runs Odoo threaded (small tenants).
plans:
  - name: small
    workers: 0
    memory: 1GiB
    db_size: 5GiB
    filestore_size: 10GiB
    connections: 10
    request_rate: 20/s

# A shared pool: one PostgreSQL and one Redis for many isolated tenants.
pools:
  - name: main
    backup:
      repositories: [local]
      schedule: {full: 7d, differential: 1d, incremental: 1h, tenant: 1d}

# Month-end is when invoices go out: no changes then.
calendars:
  - name: business
    timezone: Europe/Brussels
    change_windows:
      - {name: weekend, days: [sat, sun], from: "02:00", to: "06:00"}
    freezes:
      - name: month-end
        monthly: {from_day: -2, to_day: 3}

tenants:
  - name: first-customer
    display_name: First Customer Ltd
    pool: main
    plan: small
    calendar: business
    environments:
      - name: staging           # a neutralized copy: no mail out, no crons
    continuity:
      timesheets: {rpo: 1h, rto: 4h}
      billing: {rpo: 15m, rto: 1h}
)yaml";
}

}  // namespace ballast::cli
