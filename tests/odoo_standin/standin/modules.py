"""Module installation and update (`-i`, `-u`): the stand-in's odoo.modules.loading.

Records that real Odoo creates from XML data and that Ballast relies on (the admin user with
id 2, base.autovacuum_job, the mail queue cron, journals) are created here with the same ids,
xml ids and names, so that SQL and RPC written against Odoo behave the same on the stand-in.
"""
import json
import logging
import time

import psycopg2.errors

from . import options, passwords, pg, schema

_logger = logging.getLogger("odoo.modules.loading")
INSTALL_SECONDS = 0.3  # per requested module: cloning a template must be measurably faster


def _xmlid(cur, xmlid, model, res_id, noupdate=False):
    module, name = xmlid.split(".", 1)
    cur.execute("INSERT INTO ir_model_data (module, name, model, res_id, noupdate) VALUES (%s, %s, %s, %s, %s) "
                "ON CONFLICT (module, name) DO UPDATE SET res_id = EXCLUDED.res_id", (module, name, model, res_id, noupdate))


def _insert(cur, table, values, xmlid=None, model=None):
    keys = list(values)
    cur.execute(f"INSERT INTO {table} ({', '.join(keys)}) VALUES ({', '.join(['%s'] * len(keys))}) RETURNING id",
                [values[k] for k in keys])
    new_id = cur.fetchone()[0]
    if xmlid:
        _xmlid(cur, xmlid, model, new_id)
    return new_id


def _sync_sequence(cur, table):
    # Rows inserted with explicit ids (to match Odoo's) must not collide with later inserts.
    cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false) FROM {table}")


def _cron(cur, module, name, label, model, code, interval=(1, "days"), active=True):
    action = _insert(cur, "ir_act_server", {"name": json.dumps({"en_US": label}), "model_name": model,
                                            "state": "code", "code": code},
                     f"{module}.{name}_ir_actions_server", "ir.actions.server")
    _insert(cur, "ir_cron", {"ir_actions_server_id": action, "cron_name": label, "user_id": 1, "active": active,
                             "interval_number": interval[0], "interval_type": interval[1],
                             "nextcall": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())},
            f"{module}.{name}", "ir.cron")


def _seed_base(cur, config, demo):
    for pid, name, xmlid, company in ((1, "My Company", "base.main_partner", True),
                                      (2, "OdooBot", "base.partner_root", False),
                                      (3, "Administrator", "base.partner_admin", False)):
        _insert(cur, "res_partner", {"id": pid, "name": name, "is_company": company, "company_id": 1,
                                     "email": "admin@yourcompany.example.com" if pid == 3 else None},
                xmlid, "res.partner")
    _insert(cur, "res_company", {"id": 1, "name": "My Company", "partner_id": 1}, "base.main_company", "res.company")
    _insert(cur, "res_users", {"id": 1, "login": "__system__", "active": False, "partner_id": 2, "company_id": 1},
            "base.user_root", "res.users")
    _insert(cur, "res_users", {"id": 2, "login": "admin", "password": passwords.hash_password("admin"),
                               "partner_id": 3, "company_id": 1}, "base.user_admin", "res.users")
    for gid, name, xmlid in ((1, "Internal User", "base.group_user"), (2, "Settings", "base.group_system")):
        _insert(cur, "res_groups", {"id": gid, "name": json.dumps({"en_US": name})}, xmlid, "res.groups")
        cur.execute("INSERT INTO res_groups_users_rel (gid, uid) VALUES (%s, 1), (%s, 2)", (gid, gid))
    for table in ("res_partner", "res_company", "res_users", "res_groups"):
        _sync_sequence(cur, table)
    _cron(cur, "base", "autovacuum_job", "Base: Auto-vacuum internal data", "ir.autovacuum", "model._run_vacuum_cleaner()")
    _cron(cur, "base", "ir_cron_res_users_deletion", "Base: Portal Users Deletion", "res.users.deletion",
          "model._gc_portal_users()")
    if demo:
        for n, name in ((1, "Wood Corner"), (2, "Deco Addict"), (3, "Gemini Furniture"), (4, "Ready Mat")):
            _insert(cur, "res_partner", {"name": name, "is_company": True, "company_id": 1},
                    f"base.res_partner_{n}", "res.partner")


def _seed(cur, config, module, demo):
    if module == "base":
        _seed_base(cur, config, demo)
    elif module == "web":
        _insert(cur, "ir_ui_view", {"name": "Neutralize Banner", "key": "web.neutralize_banner", "active": False},
                "web.neutralize_banner", "ir.ui.view")
    elif module == "mail":
        _cron(cur, "mail", "ir_cron_mail_scheduler_action", "Mail: Email Queue Manager", "mail.mail",
              "model.process_email_queue(batch_size=1000)", (1, "hours"))
        _cron(cur, "mail", "ir_cron_module_update_notification", "Publisher: Update Notification",
              "publisher_warranty.contract", "model.update_notification(None)", (1, "weeks"))
        _cron(cur, "mail", "ir_cron_mail_gateway_action", "Mail: Fetchmail Service", "fetchmail.server",
              "model._fetch_mails()", (5, "minutes"), active=False)
    elif module == "hr":
        cur.execute("SELECT id FROM resource_resource WHERE user_id = 2")
        row = cur.fetchone()
        resource = row[0] if row else _insert(cur, "resource_resource", {"name": "Administrator", "user_id": 2})
        _insert(cur, "hr_employee", {"name": "Administrator", "resource_id": resource, "user_id": 2, "company_id": 1},
                "hr.employee_admin", "hr.employee")
        _cron(cur, "hr", "ir_cron_data_check_work_permit_validity", "HR Employee: check work permit validity",
              "hr.employee", "model.notify_expiring_contract_work_permit()")
    elif module == "project":
        _cron(cur, "project", "ir_cron_rating_project", "Project: Send rating", "project.project",
              "model._send_rating_all()")
    elif module == "account":
        for code, name, kind in (("INV", "Customer Invoices", "sale"), ("BILL", "Vendor Bills", "purchase"),
                                 ("MISC", "Miscellaneous Operations", "general"), ("BNK1", "Bank", "bank"),
                                 ("CSH1", "Cash", "cash")):
            _insert(cur, "account_journal", {"name": json.dumps({"en_US": name}), "code": code, "type": kind,
                                             "company_id": 1})
        _cron(cur, "account", "ir_cron_auto_post_draft_entry",
              "Account: Post draft entries with auto_post enabled and accounting date up to today",
              "account.move", "model._autopost_draft_entries()")
        _cron(cur, "account", "ir_cron_account_move_send", "Send invoices automatically", "account.move.send",
              "model._cron_process_invoice_generation_and_sending()")


def _users_init(cur):
    # res.users.init: a plaintext password set with SQL is hashed on the next -i/-u of base.
    cur.execute(r"SELECT id, password FROM res_users WHERE password IS NOT NULL AND password !~ '^\$[^$]+\$[^$]+\$.'")
    for uid, plain in cur.fetchall():
        cur.execute("UPDATE res_users SET password = %s WHERE id = %s", (passwords.hash_password(plain), uid))


def _mark(cur, name, state, demo=False):
    cur.execute("INSERT INTO ir_module_module (name, state, latest_version, auto_install, demo) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (name) DO UPDATE SET state = EXCLUDED.state, "
                "latest_version = coalesce(EXCLUDED.latest_version, ir_module_module.latest_version), "
                "demo = ir_module_module.demo OR EXCLUDED.demo, write_date = now() at time zone 'UTC'",
                (name, state, schema.version(name) if state == "installed" else None,
                 schema.MODULES[name][2], demo))


def _check_names(names):
    bad = sorted(n for n in names if n not in schema.MODULES and n != "all" and not n.startswith("failing_"))
    if bad:
        _logger.warning("invalid module names, ignored: %s", ", ".join(bad))
    return [n for n in names if n in schema.MODULES]


def load_modules(config, db, init=(), update=()):
    """Brings `db` to the requested modules; returns False when it is not initialised and
    nothing asked to initialise it (Odoo then serves it without a registry)."""
    demo = not config.get("without_demo")
    failing = sorted(n for n in list(init) + list(update) if n.startswith("failing_"))
    conn = pg.connect(config, db)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass('ir_module_module') IS NOT NULL")
            if not cur.fetchone()[0]:
                if not init and not update:
                    _logger.error("Database %s not initialized, you can force it with `-i base`", db)
                    return False
                _logger.info("init db")
                cur.execute(schema.DDL["base"])
                for name in schema.MODULES:
                    _mark(cur, name, "uninstalled")
                init = list(init) + ["base"]
            installed = set(pg.installed_modules(cur))
            init_names = _check_names(init)
            update_names = [n for n in _check_names(update) if n in installed]
            if "all" in update:
                update_names = sorted(installed)
            if "base" in update_names:
                update_names = sorted(installed)  # -u base reloads every installed module
            wanted = schema.closure(installed | set(init_names))
            new = [m for m in wanted if m not in installed]
            _logger.info("loading %d modules...", len(wanted))
            for name in new:
                if name in init_names:
                    time.sleep(INSTALL_SECONDS)
                if name in schema.DDL and name != "base":
                    cur.execute(schema.DDL[name])
                _seed(cur, config, name, demo)
                _mark(cur, name, "installed", demo)
                _logger.info("module %s: installed", name)
            for name in update_names:
                if name in schema.DDL:
                    cur.execute(schema.DDL[name])  # idempotent: brings older tables up to date
                _mark(cur, name, "installed")
            if "base" in new or "base" in update_names:
                _users_init(cur)
                pg.init_parameters(config, cur)
            if failing:
                # Stand-in only: lets tests exercise a failed install or update and its rollback.
                cur.execute("UPDATE ir_module_module SET state = 'to upgrade' WHERE state = 'installed'")
                conn.commit()
                raise SystemExit(f"odoo.modules.loading: module {failing[0]}: ParseError while loading data")
        conn.commit()
        _logger.info("Modules loaded.")
        return True
    finally:
        conn.close()


def create_if_missing(config, db):
    """True when `odoo-bin -d db` had to create the database (it then installs base). Only a
    missing CREATEDB right is tolerated; any other failure stops the server, as in Odoo."""
    try:
        pg.create_empty_database(config, db)
        return True
    except pg.DatabaseExists:
        return False
    except psycopg2.errors.InsufficientPrivilege as error:
        _logger.info("Could not determine if database %s exists, skipping auto-creation: %s", db, error)
        return False


def preload(config, db, created=False):
    """Loads the requested modules into db before the server serves it."""
    init, update = list(config.get("init") or []), list(config.get("update") or [])
    if created:
        init = init or ["base"]
    options.DB_CONTEXT.db = db
    try:
        if init or update:
            return load_modules(config, db, init, update)
        return True
    finally:
        options.DB_CONTEXT.db = None
