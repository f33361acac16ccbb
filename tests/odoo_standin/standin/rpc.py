"""The JSON-RPC services behind /jsonrpc (common, object, db) and the login logic the web
routes share with them (odoo/service/*.py and res.users.authenticate/check)."""
import base64
import hashlib
import io
import logging
import threading
import traceback

import psycopg2

from . import dbtools, models, orm, passwords, pg

_logger = logging.getLogger("odoo.addons.base.models.res_users")
VERSION = {"server_version": "18.0", "server_version_info": dbtools.VERSION_INFO, "server_serie": "18.0",
           "protocol_version": 1}
RPC_METHODS = {"create", "read", "write", "unlink", "search", "search_read", "search_count", "name_search",
               "fields_get"}
MODEL_METHODS = {"account.move": {"action_post"}, "mail.mail": {"send"}}

# res.users.check is cached in Odoo (ormcache on uid and password): with 600000-round hashes a
# verification costs most of a second, and every execute_kw call checks the password.
_checked = {}
_checked_lock = threading.Lock()


def _cache_key(db, uid, password, stored):
    return (db, uid, hashlib.sha256(password.encode()).hexdigest(), stored)


def authenticate(config, db, login, password, base_location=None, remote="n/a"):
    """The uid for these credentials, or raises AccessDenied (res.users._login)."""
    with pg.cursor(config, db) as cur:
        cur.execute("SELECT id, password FROM res_users WHERE login = %s AND active ORDER BY id LIMIT 1", (login,))
        row = cur.fetchone()
        if not row or not passwords.verify(password or "", row[1] or ""):
            _logger.info("Login failed for db:%s login:%s from %s", db, login, remote)
            raise orm.AccessDenied()
        uid, stored = row
        if passwords.needs_update(stored):
            cur.execute("UPDATE res_users SET password = %s WHERE id = %s", (passwords.hash_password(password), uid))
        # Odoo guesses web.base.url from the URL an administrator logs in through, which is how
        # proxy_mode's forwarded host ends up in the database.
        if base_location and is_system(cur, uid) and not pg.get_param(cur, "web.base.url.freeze"):
            pg.set_param(cur, "web.base.url", base_location)
    _logger.info("Login successful for db:%s login:%s from %s", db, login, remote)
    return uid


def is_system(cur, uid):
    cur.execute("SELECT 1 FROM res_groups_users_rel r JOIN ir_model_data d ON d.res_id = r.gid "
                "AND d.model = 'res.groups' AND d.module = 'base' AND d.name = 'group_system' WHERE r.uid = %s", (uid,))
    return cur.fetchone() is not None


def check(config, db, uid, password):
    """Raises AccessDenied unless (uid, password) may call the object service (res.users.check)."""
    if not password:
        raise orm.AccessDenied()
    with pg.cursor(config, db) as cur:
        cur.execute("SELECT active, password FROM res_users WHERE id = %s", (uid,))
        row = cur.fetchone()
    if not row or not row[0]:
        raise orm.AccessDenied()
    key = _cache_key(db, uid, password, row[1])
    with _checked_lock:
        if key in _checked:
            return
    if not passwords.verify(password, row[1] or ""):
        raise orm.AccessDenied()
    with _checked_lock:
        _checked[key] = True


def execute_kw(config, db, uid, model, method, args, kwargs=None):
    if method.startswith("_"):
        raise orm.AccessError(f"Private methods (such as '{method}') cannot be called remotely.")
    kwargs = dict(kwargs or {})
    kwargs.pop("context", None)
    conn = pg.connect(config, db)
    try:
        with conn, conn.cursor() as cur:
            env = models.Env(config, db, cur, uid)
            records = env.model(model)
            if method not in RPC_METHODS | MODEL_METHODS.get(model, set()):
                raise AttributeError(f"The method '{method}' does not exist on the model '{model}'")
            try:
                result = getattr(records, method)(*args, **kwargs)
            except psycopg2.IntegrityError as error:
                raise orm.ValidationError("The operation cannot be completed: " + str(error).splitlines()[0])
        for work in env.after_commit.values():
            with conn, conn.cursor() as cur:
                work(cur)
        return result
    finally:
        conn.close()


def _common(config, method, params, remote):
    if method == "version":
        return VERSION
    if method in ("login", "authenticate"):
        db, login, password = params[:3]
        try:
            return authenticate(config, db, login, password, remote=remote)
        except orm.AccessDenied:
            return False
    if method == "about":
        return "See http://openerp.com"
    if method == "set_loglevel":
        return True
    raise Exception(f"Method not found: {method}")


def _db(config, method, params):
    if method == "server_version":
        return "18.0"
    if method == "list_lang":
        return [["en_US", "English (US)"]]
    if method == "db_exist":
        return pg.exists(config, params[0])
    if method == "list":
        if not config.get("list_db"):
            raise orm.AccessDenied()
        return pg.list_dbs(config)
    master, params = (params[0] if params else None), params[1:]
    if not check_master(config, master):
        raise orm.AccessDenied()
    if not config.get("list_db"):
        _logger.error("Database management functions blocked, admin disabled database listing")
        raise orm.AccessDenied()
    if method == "drop":
        return dbtools.drop_db(config, params[0])
    if method == "duplicate_database":
        return dbtools.duplicate_db(config, params[0], params[1], *params[2:3])
    if method == "dump":
        buffer = io.BytesIO()
        dbtools.dump_db(config, params[0], buffer)
        return base64.b64encode(buffer.getvalue()).decode()
    raise KeyError(f"Method not found: {method}")


def check_master(config, password):
    """admin_passwd may be plaintext or a pbkdf2_sha512 hash, as Odoo's config allows."""
    stored = config.get("admin_passwd")
    return bool(password and stored and passwords.verify(password, str(stored)))


def dispatch(config, service, method, params, remote="n/a"):
    params = list(params or [])
    if service == "common":
        return _common(config, method, params, remote)
    if service == "db":
        return _db(config, method, params)
    if service == "object":
        db, uid, password = params[0], int(params[1]), params[2]
        check(config, db, uid, password)
        if method not in ("execute", "execute_kw"):
            raise NameError(f"Method not available {method}")
        if method == "execute":
            return execute_kw(config, db, uid, params[3], params[4], params[5:])
        return execute_kw(config, db, uid, params[3], params[4], params[5] if len(params) > 5 else [],
                          params[6] if len(params) > 6 else None)
    raise KeyError(f"Unknown service {service!r}")


def error_payload(error):
    """Odoo's serialize_exception: the exception's qualified name, message and arguments."""
    if isinstance(error, orm.OdooError):
        name = error.name
    elif isinstance(error, psycopg2.Error):
        name = f"psycopg2.{type(error).__name__}"
    else:
        name = f"builtins.{type(error).__name__}"
    message = str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)
    return {"name": name, "debug": "".join(traceback.format_exception(error)), "message": message,
            "arguments": list(error.args), "context": {}}
