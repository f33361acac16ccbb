"""Web sessions as Odoo 18 stores them: one JSON file per session under
data_dir/sessions/<first two characters of the id>/<id>, ids of 84 URL-safe characters.

Keeping Odoo's layout lets Ballast treat sessions/ exactly as it will with real Odoo (it is
part of data_dir, not of the file store, and is not in backups). The session token and the
CSRF token are both keyed on database.secret, so refreshing a copy's identity logs everyone
out and invalidates forms, as in Odoo.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import tempfile
import time

_SID = re.compile(r"^[A-Za-z0-9_-]{84}$")
LIFETIME = 7 * 24 * 3600  # Odoo's default session lifetime (sessions.max_inactivity_seconds)
CSRF_SALT = 365 * 24 * 3600


def new_sid():
    return base64.urlsafe_b64encode(os.urandom(63)).decode()


def _path(config, sid):
    return os.path.join(config.session_dir, sid[:2], sid)


def default():
    return {"context": {}, "db": None, "debug": "", "login": None, "uid": None, "session_token": None, "_trace": []}


def load(config, sid):
    """(sid, data) for a cookie value; a fresh session when the id is unknown or malformed."""
    if sid and _SID.match(sid):
        try:
            with open(_path(config, sid), encoding="utf-8") as f:
                return sid, {**default(), **json.load(f)}
        except (OSError, ValueError):
            pass
    return new_sid(), default()


def save(config, sid, data):
    path = _path(config, sid)
    os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".__wz_sess", dir=os.path.dirname(path))
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f)
    os.replace(tmp, path)


def delete(config, sid):
    try:
        os.unlink(_path(config, sid))
    except OSError:
        pass


def session_token(cur, secret, uid, sid):
    """A token tied to the user's login, password hash and active flag, and to database.secret:
    changing any of them ends the user's sessions."""
    cur.execute("SELECT id, login, password, active FROM res_users WHERE id = %s", (uid,))
    row = cur.fetchone()
    if not row:
        return False
    key = f"{secret}|{row!r}".encode()
    return hmac.new(key, sid.encode(), hashlib.sha256).hexdigest()


def csrf_token(secret, sid):
    max_ts = int(time.time() + CSRF_SALT)
    digest = hmac.new(secret.encode(), f"{sid}{max_ts}".encode(), hashlib.sha1).hexdigest()
    return f"{digest}o{max_ts}"


def csrf_valid(secret, sid, token):
    if not token or "o" not in token:
        return False
    digest, _, max_ts = token.rpartition("o")
    try:
        if int(max_ts) < time.time():
            return False
    except ValueError:
        return False
    expected = hmac.new(secret.encode(), f"{sid}{max_ts}".encode(), hashlib.sha1).hexdigest()
    return hmac.compare_digest(expected, digest)
