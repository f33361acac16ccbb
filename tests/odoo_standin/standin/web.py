"""The stand-in's HTTP surface (see README.md)."""
import base64
import hashlib
import http.server
import json
import os
import re
import secrets
import urllib.parse

from . import db as database
from . import models, passwords

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
VERSION = {"server_version": "18.0", "server_version_info": [18, 0, 0, "final", 0, ""],
           "server_serie": "18.0", "protocol_version": 1}


def make_pdf(title, lines):
    text = " ".join(["BT /F1 14 Tf 72 760 Td (" + title + ") Tj ET"] +
                    [f"BT /F1 11 Tf 72 {730 - 18 * i} Td ({line}) Tj ET" for i, line in enumerate(lines)])
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               "/Resources << /Font << /F1 5 0 R >> >> >>",
               f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = "%PDF-1.4\n", []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n" + "".join(f"{o:010d} 00000 n \n" for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out.encode("latin-1")


def handler_for(config, role):
    """role: 'http' (the HTTP port) or 'gevent' (the websocket process of prefork mode)."""
    prefork = config.int("workers") > 0

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "Werkzeug/2.0 Python"

        def log_message(self, fmt, *args):
            self.server.log(f"{self.address_string()} {fmt % args}")

        # --- helpers -----------------------------------------------------------------
        def host(self):
            forwarded = self.headers.get("X-Forwarded-Host")
            if config.flag("proxy_mode") and forwarded:
                return forwarded, self.headers.get("X-Forwarded-Proto", "http")
            return self.headers.get("Host", "localhost"), "http"

        def dbname(self):
            name = config.get("db_name", "")
            pattern = config.get("dbfilter", "")
            if pattern:
                host = self.host()[0].split(":")[0]
                pattern = pattern.replace("%h", re.escape(host)).replace("%d", re.escape(host.split(".")[0]))
                if not re.match(pattern, name):
                    return None
            return name or None

        def send(self, status, body, content_type="application/json", headers=None):
            data = body if isinstance(body, bytes) else body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def body(self):
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def session(self):
            cookie = self.headers.get("Cookie", "")
            match = re.search(r"session_id=([A-Za-z0-9_-]+)", cookie)
            if not match:
                return None
            path = os.path.join(config["data_dir"], "sessions", match.group(1) + ".json")
            try:
                with open(path, encoding="utf-8") as f:
                    return json.load(f)
            except (OSError, ValueError):
                return None

        def new_session(self, uid, db):
            sid = secrets.token_urlsafe(24)
            folder = os.path.join(config["data_dir"], "sessions")
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, sid + ".json"), "w", encoding="utf-8") as f:
                json.dump({"uid": uid, "db": db}, f)
            return sid

        def check_login(self, db, login, password):
            if db != self.dbname():
                return None
            conn = database.connect(config, db)
            with conn.cursor() as cur:
                cur.execute("SELECT id, password FROM res_users WHERE login = %s AND active", (login,))
                row = cur.fetchone()
            conn.close()
            return row[0] if row and passwords.verify(password or "", row[1]) else None

        def rpc_error(self, request_id, name, message):
            self.send(200, json.dumps({"jsonrpc": "2.0", "id": request_id, "error": {
                "code": 200, "message": "Odoo Server Error",
                "data": {"name": name, "message": message, "arguments": [message]}}}))

        # --- routes ------------------------------------------------------------------
        def do_GET(self):
            path = urllib.parse.urlparse(self.path).path
            if path == "/web/health":
                return self.send(200, json.dumps({"status": "pass"}))
            if path == "/websocket" or path.startswith("/websocket/"):
                return self.websocket()
            if role == "gevent":
                return self.send(404, "not found", "text/plain")
            if path.startswith("/web/database"):
                return self.database_manager()
            if path in ("/web/login", "/web", "/odoo", "/"):
                return self.login_page()
            match = re.match(r"^/report/pdf/account\.report_invoice/([0-9,]+)$", path)
            if match:
                return self.invoice_pdf([int(i) for i in match.group(1).split(",")])
            return self.send(404, "<h1>404 Not Found</h1>", "text/html")

        def do_POST(self):
            path = urllib.parse.urlparse(self.path).path
            if role == "gevent":
                return self.send(404, "not found", "text/plain")
            if path.startswith("/web/database"):
                return self.database_manager()
            if path == "/web/login":
                form = urllib.parse.parse_qs(self.body().decode())
                db = self.dbname()
                uid = db and self.check_login(db, form.get("login", [""])[0], form.get("password", [""])[0])
                if not uid:
                    return self.login_page("Wrong login/password")
                sid = self.new_session(uid, db)
                return self.send(303, "", "text/html", {"Location": "/odoo", "Set-Cookie": f"session_id={sid}; Path=/; HttpOnly"})
            if path == "/web/session/authenticate":
                return self.authenticate()
            if path == "/jsonrpc":
                return self.jsonrpc()
            return self.send(404, "<h1>404 Not Found</h1>", "text/html")

        def database_manager(self):
            if not config.flag("list_db"):
                return self.send(403, "<h1>Forbidden</h1><p>The database manager has been disabled by the administrator</p>", "text/html")
            return self.send(200, f"<h1>Databases</h1><ul><li>{config.get('db_name')}</li></ul>", "text/html")

        def login_page(self, error=""):
            db = self.dbname()
            if db is None:
                return self.send(404, "<h1>No database is selected</h1>", "text/html")
            host, scheme = self.host()
            self.send(200, f"<!doctype html><html><head><title>Login | Odoo</title></head><body>"
                           f"<form class=\"oe_login_form\" method=\"post\" action=\"/web/login\">"
                           f"<input name=\"login\"/><input name=\"password\" type=\"password\"/></form>"
                           f"<p class=\"database\">Database: {db}</p><p class=\"url_root\">{scheme}://{host}/</p>"
                           f"<p class=\"error\">{error}</p></body></html>", "text/html")

        def authenticate(self):
            request = json.loads(self.body() or b"{}")
            params = request.get("params", {})
            uid = self.check_login(params.get("db"), params.get("login"), params.get("password"))
            if not uid:
                return self.rpc_error(request.get("id"), "odoo.exceptions.AccessDenied", "Access Denied")
            sid = self.new_session(uid, params.get("db"))
            body = json.dumps({"jsonrpc": "2.0", "id": request.get("id"),
                               "result": {"uid": uid, "db": params.get("db"), "username": params.get("login")}})
            self.send(200, body, headers={"Set-Cookie": f"session_id={sid}; Path=/; HttpOnly"})

        def jsonrpc(self):
            request = json.loads(self.body() or b"{}")
            params = request.get("params", {})
            service, method, args = params.get("service"), params.get("method"), params.get("args", [])
            try:
                result = self.dispatch(service, method, args)
            except PermissionError:
                return self.rpc_error(request.get("id"), "odoo.exceptions.AccessDenied", "Access Denied")
            except models.UserError as error:
                return self.rpc_error(request.get("id"), "odoo.exceptions.UserError", str(error))
            except Exception as error:  # reported like Odoo reports server errors
                return self.rpc_error(request.get("id"), type(error).__name__, str(error))
            self.send(200, json.dumps({"jsonrpc": "2.0", "id": request.get("id"), "result": result}))

        def dispatch(self, service, method, args):
            if service == "common" and method == "version":
                return VERSION
            if service == "common" and method in ("login", "authenticate"):
                return self.check_login(args[0], args[1], args[2]) or False
            if service == "object" and method == "execute_kw":
                db, uid, password, model, name = args[:5]
                call_args = args[5] if len(args) > 5 else []
                kwargs = args[6] if len(args) > 6 else {}
                conn = database.connect(config, db)
                try:
                    with conn.cursor() as cur:
                        cur.execute("SELECT login FROM res_users WHERE id = %s", (uid,))
                        row = cur.fetchone()
                    if db != self.dbname() or not row or self.check_login(db, row[0], password) != uid:
                        raise PermissionError()
                    with conn, conn.cursor() as cur:
                        return models.execute(config, db, cur, uid, model, name, call_args, kwargs)
                finally:
                    conn.close()
            raise models.UserError(f"unknown service {service}.{method}")

        def invoice_pdf(self, ids):
            session = self.session()
            if not session or session.get("db") != self.dbname():
                return self.send(303, "", "text/html", {"Location": "/web/login"})
            conn = database.connect(config, session["db"])
            with conn.cursor() as cur:
                cur.execute("SELECT name, amount_total, state FROM account_move WHERE id = ANY(%s)", (ids,))
                rows = cur.fetchall()
            conn.close()
            if not rows:
                return self.send(404, "<h1>Record not found</h1>", "text/html")
            lines = [f"{name} {state} total {float(total):.2f}" for name, total, state in rows]
            self.send(200, make_pdf("Invoice", lines), "application/pdf")

        def websocket(self):
            if role == "http" and prefork:
                return self.send(500, "<h1>Internal Server Error</h1><p>Couldn't bind the websocket. "
                                      "Is the connection opened on the evented port (8072)?</p>", "text/html")
            key = self.headers.get("Sec-WebSocket-Key")
            if self.headers.get("Upgrade", "").lower() != "websocket" or not key:
                return self.send(400, "Bad Request", "text/plain")
            accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
            self.send_response(101)
            self.send_header("Upgrade", "websocket")
            self.send_header("Connection", "Upgrade")
            self.send_header("Sec-WebSocket-Accept", accept)
            self.end_headers()
            self.wfile.flush()
            self.websocket_loop()
            self.close_connection = True

        def websocket_loop(self):
            while True:
                head = self.rfile.read(2)
                if len(head) < 2:
                    return
                opcode, length = head[0] & 0x0F, head[1] & 0x7F
                if length == 126:
                    length = int.from_bytes(self.rfile.read(2), "big")
                elif length == 127:
                    length = int.from_bytes(self.rfile.read(8), "big")
                mask = self.rfile.read(4) if head[1] & 0x80 else b"\0\0\0\0"
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(self.rfile.read(length)))
                if opcode == 0x8:  # close
                    self.wfile.write(b"\x88\x02\x03\xe8")
                    return
                if opcode == 0x9:  # ping
                    self.wfile.write(bytes([0x8A, len(payload)]) + payload)
                elif opcode == 0x1:  # text: answered like a bus subscription acknowledgement
                    reply = json.dumps({"type": "ack", "echo": payload.decode(errors="replace")}).encode()
                    self.wfile.write(bytes([0x81, len(reply)]) + reply if len(reply) < 126 else
                                     bytes([0x81, 126]) + len(reply).to_bytes(2, "big") + reply)
                self.wfile.flush()

    return Handler
