"""Helpers for selftest.py: configs, running odoo-bin, HTTP and JSON-RPC clients, a raw
websocket handshake. Kept apart so that the tests read as the behaviour they check."""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.parse
import warnings

import psycopg2

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # passlib still imports the crypt module
    from passlib.hash import pbkdf2_sha512  # noqa: F401  (re-exported for the tests)

HERE = os.path.dirname(os.path.abspath(__file__))
ODOO_BIN = os.path.join(HERE, "odoo-bin")
PORT = int(os.environ.get("STANDIN_PGPORT", "5432"))
SOCK = os.environ.get("STANDIN_PGSOCK", "")
TMP = os.environ.get("STANDIN_TMP", "/tmp")
STARTED = []  # stand-in servers this test run started, stopped by pid at the end
MODULES = "base,web,hr_timesheet,account"
_TEMPLATE = {}


def pg(db, user="standin", password="standin-pw"):
    conn = psycopg2.connect(host="127.0.0.1", port=PORT, dbname=db, user=user, password=password)
    conn.autocommit = True
    return conn


def query(db, sql, args=None):
    conn = pg(db)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall() if cur.description else None
    finally:
        conn.close()


def ensure_template():
    """Builds, once per run, an initialised database like Ballast's template ('tpl'); returns
    how long `-i` took."""
    if "seconds" not in _TEMPLATE:
        conf, _ = write_config("template", db_name="tpl")
        began = time.time()
        odoo("-c", conf, "-d", "tpl", "-i", MODULES, "--stop-after-init", "--without-demo=all")
        _TEMPLATE["seconds"] = time.time() - began
    return _TEMPLATE["seconds"]


def clone(name, source="tpl"):
    """What Ballast does for a new tenant: CREATE DATABASE ... TEMPLATE, then its own identity."""
    query("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    query("postgres", f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    query(name, "UPDATE ir_config_parameter SET value = %s WHERE key = 'database.uuid'", (name + "-uuid",))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(name, **values):
    """An odoo.conf like Ballast's; returns (path, options)."""
    base = {"db_host": "127.0.0.1", "db_port": PORT, "db_user": "standin", "db_password": "standin-pw",
            "admin_passwd": "master-pw", "http_interface": "127.0.0.1", "http_port": free_port(),
            "gevent_port": free_port(), "workers": 0, "max_cron_threads": 1, "list_db": "False",
            "proxy_mode": "True", "data_dir": os.path.join(TMP, "data", name), "without_demo": "all",
            "logfile": os.path.join(TMP, "logs", f"{name}.log")}
    base.update(values)
    path = os.path.join(TMP, f"{name}.conf")
    with open(path, "w") as f:
        f.write("[options]\n" + "".join(f"{k} = {v}\n" for k, v in base.items() if v is not None))
    return path, base


def odoo(*args, check=True, timeout=60):
    result = subprocess.run(["/usr/bin/python3", ODOO_BIN, *args], capture_output=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"odoo-bin {' '.join(args)} exited {result.returncode}:\n"
                             f"{result.stdout.decode()}\n{result.stderr.decode()}")
    return result


def start(conf, port, *extra):
    with open(os.path.join(TMP, "logs", "stderr.log"), "ab") as stderr:
        proc = subprocess.Popen(["/usr/bin/python3", ODOO_BIN, "-c", conf, *extra], stderr=stderr)
    STARTED.append(proc)
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            if get(port, "/web/health")[0] == 200:
                return proc
        except OSError:
            pass
        if proc.poll() is not None:
            raise AssertionError(f"odoo-bin exited with {proc.returncode} before serving")
        time.sleep(0.05)
    raise AssertionError("odoo-bin did not answer /web/health")


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def stop_all():
    for proc in STARTED:
        stop(proc)


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


def get(port, path, headers=None):
    return request(port, "GET", path, headers=headers)


def rpc(port, path, params, headers=None):
    body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 7, "params": params})
    status, hdrs, data = request(port, "POST", path, body, {"Content-Type": "application/json", **(headers or {})})
    assert status == 200, (status, data)
    return json.loads(data), hdrs


def call(port, db, uid, password, model, method, args, kwargs=None):
    answer, _ = rpc(port, "/jsonrpc", {"service": "object", "method": "execute_kw",
                                       "args": [db, uid, password, model, method, args] + ([kwargs] if kwargs else [])})
    if "error" in answer:
        raise AssertionError(answer["error"]["data"]["name"] + ": " + answer["error"]["data"]["message"])
    return answer["result"]


def cookie_of(headers):
    match = re.search(r"session_id=([^;]+)", headers.get("Set-Cookie", ""))
    return match.group(1) if match else None


def web_login(port, login, password, host=None):
    """GET the login page, then POST it with its CSRF token, like a browser: (status, headers)."""
    extra = {"Host": host} if host else {}
    status, headers, page = get(port, "/web/login", extra)
    assert status == 200, (status, page)
    sid = cookie_of(headers)
    csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
    form = urllib.parse.urlencode({"csrf_token": csrf, "login": login, "password": password})
    return request(port, "POST", "/web/login", form, {"Content-Type": "application/x-www-form-urlencoded",
                                                      "Cookie": f"session_id={sid}", **extra})


def websocket_handshake(port, origin=True, ping=False):
    """Sends an upgrade request by hand; returns (status line + headers, pong payload or None)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        lines = ["GET /websocket HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: Upgrade", "Upgrade: websocket",
                 "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="]
        if origin:
            lines.append(f"Origin: http://127.0.0.1:{port}")
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(1)
            if not chunk:
                break
            head += chunk
        pong = closed = None
        if ping and head.startswith(b"HTTP/1.1 101"):
            mask = b"\x01\x02\x03\x04"
            s.sendall(bytes([0x89, 0x84]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(b"ping")))
            frame = s.recv(64)
            pong = frame[2:] if frame[:1] == b"\x8a" else frame
            s.sendall(bytes([0x88, 0x82]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(b"\x03\xe8")))
            closed = s.recv(64)
        return head.decode(), pong, closed
