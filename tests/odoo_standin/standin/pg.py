"""PostgreSQL access the way Odoo does it: connection parameters, database listing, creation,
and the ir.config_parameter defaults every database gets."""
import contextlib
import datetime
import logging
import os
import shutil
import uuid

import psycopg2
from psycopg2.extensions import quote_ident

_logger = logging.getLogger("odoo.sql_db")


class DatabaseExists(Warning):
    pass


def connect(config, dbname, autocommit=False):
    # Only the keys that are set are passed, so that libpq's own defaults and PG* variables
    # apply exactly as they do for Odoo (an empty db_host means the default unix socket).
    kwargs = {"dbname": dbname, "application_name": f"odoo-{os.getpid()}"}
    for key, option in (("host", "db_host"), ("port", "db_port"), ("user", "db_user"),
                        ("password", "db_password")):
        if config.get(option):
            kwargs[key] = str(config[option])
    if config.get("db_sslmode"):
        kwargs["sslmode"] = config["db_sslmode"]
    conn = psycopg2.connect(**kwargs)
    conn.autocommit = autocommit
    return conn


@contextlib.contextmanager
def cursor(config, dbname, autocommit=False):
    """A cursor whose transaction commits on success, and whose connection is always closed."""
    conn = connect(config, dbname, autocommit)
    try:
        with conn, conn.cursor() as cur:
            yield cur
    finally:
        conn.close()


def tool_env(config):
    """Environment for pg_dump/psql, equivalent to the connection parameters above."""
    env = dict(os.environ)
    for var, option in (("PGHOST", "db_host"), ("PGPORT", "db_port"), ("PGUSER", "db_user"),
                        ("PGPASSWORD", "db_password")):
        if config.get(option):
            env[var] = str(config[option])
    return env


def tool(config, name):
    if config.get("pg_path"):
        return os.path.join(config["pg_path"], name)
    return shutil.which(name) or name


def ident(conn, name):
    return quote_ident(name, conn)


def exists(config, dbname):
    # Like Odoo's exp_db_exist: "exists" means "we can connect to it".
    try:
        connect(config, dbname).close()
        return True
    except psycopg2.Error:
        return False


def list_dbs(config, force=False):
    """The databases this role may serve, before dbfilter (odoo.service.db.list_dbs)."""
    if not config.get("list_db") and not force:
        raise PermissionError("Access Denied")
    if not config.get("dbfilter") and config.get("db_name"):
        return sorted(db.strip() for db in str(config["db_name"]).split(","))
    templates = tuple({"postgres", config.get("db_template") or "template0"})
    try:
        with cursor(config, "postgres", autocommit=True) as cur:
            cur.execute("SELECT datname FROM pg_database WHERE datdba = (SELECT usesysid FROM pg_user "
                        "WHERE usename = current_user) AND NOT datistemplate AND datallowconn "
                        "AND datname NOT IN %s ORDER BY datname", (templates,))
            return [row[0] for row in cur.fetchall()]
    except psycopg2.Error:
        _logger.exception("Listing databases failed:")
        return []


def terminate_other_connections(cur, dbname):
    cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid != pg_backend_pid()", (dbname,))


def create_empty_database(config, name):
    """CREATE DATABASE like Odoo: unicode, C collation from template0, pg_trgm, public schema
    writable by PUBLIC again (PostgreSQL 15 took that away)."""
    conn = connect(config, "postgres", autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT datname FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchall():
                raise DatabaseExists(f"database {name!r} already exists!")
            template = config.get("db_template") or "template0"
            collate = "LC_COLLATE 'C'" if template == "template0" else ""
            cur.execute(f"CREATE DATABASE {ident(conn, name)} ENCODING 'unicode' {collate} "
                        f"TEMPLATE {ident(conn, template)}")
    finally:
        conn.close()
    for statement, what in (("CREATE EXTENSION IF NOT EXISTS pg_trgm", "Unable to create PostgreSQL extensions"),
                            ("GRANT CREATE ON SCHEMA PUBLIC TO PUBLIC", "Unable to make public schema public-accessible")):
        try:
            with cursor(config, name, autocommit=True) as cur:
                cur.execute(statement)
        except psycopg2.Error as error:
            _logger.warning("%s: %s", what, error)


# ir.config_parameter's defaults (base/models/ir_config_parameter.py): created when missing,
# all regenerated when a database is a copy, so that no two copies share an identity.
def default_parameters(config):
    return {
        "database.secret": str(uuid.uuid4()),
        "database.uuid": str(uuid.uuid1()),
        "database.create_date": datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M:%S"),
        "web.base.url": "http://localhost:%s" % config.get("http_port"),
        "base.login_cooldown_after": "10",
        "base.login_cooldown_duration": "60",
    }


def set_param(cur, key, value):
    if value is False or value is None:
        cur.execute("DELETE FROM ir_config_parameter WHERE key = %s", (key,))
        return
    cur.execute("INSERT INTO ir_config_parameter (key, value, create_date, write_date) "
                "VALUES (%s, %s, now() at time zone 'UTC', now() at time zone 'UTC') "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_date = EXCLUDED.write_date",
                (key, str(value)))


def get_param(cur, key, default=None):
    cur.execute("SELECT value FROM ir_config_parameter WHERE key = %s", (key,))
    row = cur.fetchone()
    return row[0] if row else default


def init_parameters(config, cur, force=False):
    for key, value in default_parameters(config).items():
        if force or get_param(cur, key) is None:
            set_param(cur, key, value)


def installed_modules(cur, states=("installed",)):
    cur.execute("SELECT to_regclass('ir_module_module') IS NOT NULL")
    if not cur.fetchone()[0]:
        return []
    cur.execute("SELECT name FROM ir_module_module WHERE state IN %s ORDER BY id", (tuple(states),))
    return [row[0] for row in cur.fetchall()]
