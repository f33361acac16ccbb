"""Routing of HTTP requests to Odoo's controllers, after resolving what Odoo resolves first:
proxy headers, the session, and the database the request is for."""
import email.utils
import hmac
import logging
import re
import time

import psycopg2

from . import pg, rpc, sessions, websocket
from .controllers import Controllers
from .httpbase import Response, db_filter, db_list, proxy_fix

_logger = logging.getLogger("odoo.http")


class Context:
    """Per-request state: the session and the database, resolved as Odoo resolves them."""

    def __init__(self, app, request):
        self.app, self.config, self.request = app, app.config, request
        self.sid, self.session = sessions.load(self.config, request.cookie("session_id"))
        self.new_cookie = False
        host = request.host
        db = None
        if self.session.get("db") and db_filter(self.config, [self.session["db"]], host):
            db = self.session["db"]
        else:
            dbs = db_list(self.config, host)
            if len(dbs) == 1:
                db = dbs[0]  # "monodb"
        if self.session.get("db") != db:
            if self.session.get("db"):
                _logger.warning("Logged into database %r, but dbfilter rejects it; logging session out.",
                                self.session["db"])
                self.session.update(uid=None, login=None, session_token=None)
            self.session["db"] = db
        self.db = db

    def save_session(self, rotate=False):
        if rotate:
            sessions.delete(self.config, self.sid)
            self.sid = sessions.new_sid()
        sessions.save(self.config, self.sid, self.session)
        self.new_cookie = True

    def cookie_header(self):
        expires = email.utils.formatdate(time.time() + sessions.LIFETIME, usegmt=True)
        return ("Set-Cookie", f"session_id={self.sid}; Expires={expires}; Max-Age={sessions.LIFETIME}; HttpOnly; Path=/")

    def secret(self, cur):
        return pg.get_param(cur, "database.secret") or ""

    def user(self):
        """The logged-in uid, or None; a session whose token no longer matches is logged out."""
        uid = self.session.get("uid")
        if not uid or not self.db:
            return None
        with pg.cursor(self.config, self.db) as cur:
            token = sessions.session_token(cur, self.secret(cur), uid, self.sid)
        if not token or not hmac.compare_digest(token, self.session.get("session_token") or ""):
            self.session.update(uid=None, login=None, session_token=None)
            self.save_session(rotate=True)
            return None
        return uid

    def banner(self):
        """Whether Odoo's web.neutralize_banner view is active: neutralization switches it on."""
        if not self.db:
            return False
        try:
            with pg.cursor(self.config, self.db) as cur:
                cur.execute("SELECT to_regclass('ir_ui_view') IS NOT NULL")
                if not cur.fetchone()[0]:
                    return False
                cur.execute("SELECT active FROM ir_ui_view WHERE key = 'web.neutralize_banner'")
                row = cur.fetchone()
                return bool(row and row[0])
        except psycopg2.Error:
            return False


class App:
    """role: 'threaded' (workers = 0), 'worker' (a prefork HTTP worker) or 'gevent'."""

    def __init__(self, config, role):
        self.config, self.role = config, role
        self.controllers = Controllers(self)

    def handle(self, request):
        proxy_fix(self.config, request)
        path = request.path
        if path in ("/web/health", "/websocket/health"):
            return self.health(request)
        ctx = Context(self, request)
        response = self.route(ctx, path)
        if ctx.new_cookie:
            response.headers.append(ctx.cookie_header())
        return response

    def health(self, request):
        status, info = 200, {"status": "pass"}
        if request.query.get("db_server_status"):
            try:
                pg.connect(self.config, "postgres").close()
                info["db_server_status"] = True
            except psycopg2.Error:
                info.update(db_server_status=False, status="fail")
                status = 500
        return Response.json(info, status, [("Cache-Control", "no-store")])

    def route(self, ctx, path):
        c = self.controllers
        if path == "/websocket":
            return self.websocket(ctx) if ctx.db else Response.error(404)
        if path.startswith("/web/database/") or path == "/web/database":
            return c.database(ctx, path.rsplit("/", 1)[-1])
        json_routes = {"/jsonrpc": c.jsonrpc, "/web/session/authenticate": c.authenticate,
                       "/web/session/get_session_info": c.session_info,
                       "/web/webclient/version_info": lambda ctx, params: rpc.VERSION}
        if path in json_routes:
            return c.json_route(ctx, json_routes[path])
        if path == "/web/login":
            return c.login(ctx)
        if path == "/web/session/logout":
            return c.logout(ctx)
        if path == "/":
            return Response.redirect("/odoo" + (f"?{ctx.request.query_string}" if ctx.request.query_string else ""))
        if path in ("/web", "/odoo") or path.startswith("/odoo/"):
            return c.webclient(ctx)
        match = re.match(r"^/report/pdf/account\.report_invoice/([0-9,]+)$", path)
        if match and ctx.db:
            return c.invoice_report(ctx, [int(i) for i in match.group(1).split(",") if i])
        return Response.error(404)

    def websocket(self, ctx):
        problem = websocket.check_handshake(ctx.request.headers)
        if problem:
            _logger.error("%s", problem[1])
            return Response.error(*problem)
        if self.role == "worker":
            _logger.error("Exception during request handling.\nRuntimeError: Couldn't bind the websocket. Is the "
                          "connection opened on the evented port (%s)?", self.config.get("gevent_port"))
            return Response.error(500)
        key = ctx.request.headers["sec-websocket-key"]
        response = Response(101, b"", None, [("Upgrade", "websocket"), ("Connection", "Upgrade"),
                                             ("Sec-WebSocket-Accept", websocket.accept_value(key))])
        response.upgrade = True
        ctx.save_session()  # Odoo persists the session: the websocket authenticates with it
        return response
