"""The stand-in's database: Odoo-shaped tables, module init/update, neutralize, db commands."""
import datetime
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
import zipfile

import psycopg2

from . import passwords

SCHEMA = """
CREATE TABLE IF NOT EXISTS ir_config_parameter (id serial PRIMARY KEY, key varchar NOT NULL UNIQUE,
    value text NOT NULL);
CREATE TABLE IF NOT EXISTS ir_module_module (id serial PRIMARY KEY, name varchar NOT NULL UNIQUE,
    state varchar NOT NULL, latest_version varchar);
CREATE TABLE IF NOT EXISTS res_partner (id serial PRIMARY KEY, name varchar NOT NULL, email varchar,
    is_company boolean DEFAULT false, active boolean DEFAULT true);
CREATE TABLE IF NOT EXISTS res_users (id serial PRIMARY KEY, login varchar NOT NULL UNIQUE,
    password varchar, active boolean DEFAULT true, partner_id integer REFERENCES res_partner(id),
    groups varchar DEFAULT 'base.group_user');
CREATE TABLE IF NOT EXISTS project_project (id serial PRIMARY KEY, name varchar NOT NULL,
    partner_id integer, active boolean DEFAULT true);
CREATE TABLE IF NOT EXISTS account_analytic_line (id serial PRIMARY KEY, name varchar NOT NULL,
    project_id integer REFERENCES project_project(id), unit_amount numeric DEFAULT 0,
    date date DEFAULT CURRENT_DATE, user_id integer);
CREATE TABLE IF NOT EXISTS account_move (id serial PRIMARY KEY, name varchar DEFAULT '/',
    state varchar DEFAULT 'draft', move_type varchar DEFAULT 'out_invoice', partner_id integer,
    amount_total numeric DEFAULT 0, invoice_date date);
CREATE TABLE IF NOT EXISTS ir_cron (id serial PRIMARY KEY, cron_name varchar NOT NULL,
    xml_id varchar, active boolean DEFAULT true);
CREATE TABLE IF NOT EXISTS ir_mail_server (id serial PRIMARY KEY, name varchar NOT NULL,
    smtp_host varchar, smtp_port integer DEFAULT 25, active boolean DEFAULT true);
CREATE TABLE IF NOT EXISTS fetchmail_server (id serial PRIMARY KEY, name varchar NOT NULL,
    server varchar, active boolean DEFAULT true);
CREATE TABLE IF NOT EXISTS ir_model_data (id serial PRIMARY KEY, module varchar NOT NULL,
    name varchar NOT NULL, model varchar NOT NULL, res_id integer);
CREATE TABLE IF NOT EXISTS ir_attachment (id serial PRIMARY KEY, name varchar NOT NULL,
    store_fname varchar, checksum varchar, res_model varchar, res_id integer, file_size integer);
"""


def connect(config, dbname=None):
    kwargs = dict(dbname=dbname or config["db_name"], user=config["db_user"],
                  password=config["db_password"], port=int(config["db_port"] or 5432))
    if config.get("db_host"):
        kwargs["host"] = config["db_host"]
    conn = psycopg2.connect(**kwargs)
    conn.autocommit = False
    return conn


def filestore(config, db):
    return os.path.join(config["data_dir"], "filestore", db)


def set_param(cur, key, value):
    cur.execute("INSERT INTO ir_config_parameter (key, value) VALUES (%s, %s) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", (key, value))


def get_param(cur, key, default=None):
    cur.execute("SELECT value FROM ir_config_parameter WHERE key = %s", (key,))
    row = cur.fetchone()
    return row[0] if row else default


def initialise(config, db, modules, update):
    conn = connect(config, db)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT to_regclass('res_users') IS NULL")
        fresh = cur.fetchone()[0]
        cur.execute(SCHEMA)
        if fresh:
            cur.execute("INSERT INTO res_partner (name, is_company) VALUES ('My Company', true)")
            cur.execute("INSERT INTO res_partner (name, email) VALUES ('Administrator', 'admin@example.com') RETURNING id")
            partner = cur.fetchone()[0]
            cur.execute("INSERT INTO res_users (login, password, partner_id, groups) VALUES ('admin', %s, %s, %s)",
                        (passwords.hash_password("admin"), partner, "base.group_system"))
            for name, xml_id in (("Base: Auto-vacuum internal data", "base.autovacuum_job"),
                                 ("Mail: Email Queue Manager", "mail.ir_cron_mail_scheduler_action"),
                                 ("Invoicing: send reminders", "account.ir_cron_reminders")):
                cur.execute("INSERT INTO ir_cron (cron_name, xml_id) VALUES (%s, %s) RETURNING id", (name, xml_id))
                module, _, short = xml_id.partition(".")
                cur.execute("INSERT INTO ir_model_data (module, name, model, res_id) VALUES (%s, %s, 'ir.cron', %s)",
                            (module, short, cur.fetchone()[0]))
            cur.execute("INSERT INTO ir_mail_server (name, smtp_host) VALUES ('Outgoing', 'smtp.example.com')")
            cur.execute("INSERT INTO fetchmail_server (name, server) VALUES ('Incoming', 'imap.example.com')")
            set_param(cur, "database.uuid", str(uuid.uuid1()))
            set_param(cur, "database.secret", str(uuid.uuid4()))
            set_param(cur, "database.create_date", datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M:%S"))
            set_param(cur, "web.base.url", f"http://localhost:{config['http_port']}")
        names = set(modules) | {"base", "web"}
        for name in sorted(names):
            if not update:
                time.sleep(0.3)  # installing a module takes time in real Odoo
            cur.execute("INSERT INTO ir_module_module (name, state, latest_version) VALUES (%s, 'installed', '18.0.1.0') "
                        "ON CONFLICT (name) DO UPDATE SET state = 'installed', latest_version = EXCLUDED.latest_version",
                        (name,))
        if update:
            cur.execute("SELECT id, password FROM res_users")
            for uid, stored in cur.fetchall():
                if stored and not passwords.is_hashed(stored):
                    cur.execute("UPDATE res_users SET password = %s WHERE id = %s", (passwords.hash_password(stored), uid))
    conn.close()


def neutralize(config, db):
    conn = connect(config, db)
    with conn, conn.cursor() as cur:
        cur.execute("UPDATE ir_cron SET active = false WHERE id NOT IN (SELECT res_id FROM ir_model_data "
                    "WHERE model = 'ir.cron' AND module = 'base' AND name = 'autovacuum_job')")
        cur.execute("UPDATE ir_mail_server SET active = false")
        cur.execute("UPDATE fetchmail_server SET active = false")
        set_param(cur, "database.is_neutralized", "True")
    conn.close()


def _admin(config):
    conn = connect(config, "postgres")
    conn.autocommit = True
    return conn


def _pg_env(config):
    env = dict(os.environ, PGPASSWORD=config["db_password"], PGUSER=config["db_user"],
               PGPORT=str(config["db_port"]))
    if config.get("db_host"):
        env["PGHOST"] = config["db_host"]
    return env


def dump(config, db, path):
    with tempfile.TemporaryDirectory() as tmp:
        sql = os.path.join(tmp, "dump.sql")
        subprocess.run(["pg_dump", "--no-owner", "-f", sql, db], check=True, env=_pg_env(config))
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.write(sql, "dump.sql")
            store = filestore(config, db)
            for root, _, files in os.walk(store):
                for name in files:
                    full = os.path.join(root, name)
                    z.write(full, os.path.join("filestore", os.path.relpath(full, store)))
            conn = connect(config, db)
            with conn.cursor() as cur:
                cur.execute("SELECT name, latest_version FROM ir_module_module WHERE state = 'installed'")
                modules = dict(cur.fetchall())
                cur.execute("SHOW server_version")
                pg_version = cur.fetchone()[0]
            conn.close()
            z.writestr("manifest.json", json.dumps({
                "odoo_dump": "1", "db_name": db, "version": "18.0", "version_info": [18, 0, 0, "final", 0, ""],
                "major_version": "18.0", "pg_version": pg_version, "modules": modules}, indent=4))


def _create_db(config, db, template=None, force=False):
    conn = _admin(config)
    with conn.cursor() as cur:
        if force:
            cur.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        if template:
            cur.execute(f'CREATE DATABASE "{db}" TEMPLATE "{template}"')
        else:
            cur.execute(f'CREATE DATABASE "{db}" TEMPLATE template0 ENCODING \'UTF8\'')
    conn.close()


def load(config, db, path, force=False, neutralize_after=False):
    _create_db(config, db, force=force)
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(path) as z:
            z.extractall(tmp)
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-f", os.path.join(tmp, "dump.sql"), db],
                       check=True, env=_pg_env(config), stdout=subprocess.DEVNULL)
        source = os.path.join(tmp, "filestore")
        if os.path.isdir(source):
            shutil.copytree(source, filestore(config, db), dirs_exist_ok=True)
    conn = connect(config, db)
    with conn, conn.cursor() as cur:
        set_param(cur, "database.uuid", str(uuid.uuid1()))
    conn.close()
    if neutralize_after:
        neutralize(config, db)


def duplicate(config, source, target, force=False, neutralize_after=False):
    _create_db(config, target, template=source, force=force)
    if os.path.isdir(filestore(config, source)):
        shutil.copytree(filestore(config, source), filestore(config, target), dirs_exist_ok=True)
    conn = connect(config, target)
    with conn, conn.cursor() as cur:
        set_param(cur, "database.uuid", str(uuid.uuid1()))
    conn.close()
    if neutralize_after:
        neutralize(config, target)


def drop(config, db):
    conn = _admin(config)
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    conn.close()
    shutil.rmtree(filestore(config, db), ignore_errors=True)
