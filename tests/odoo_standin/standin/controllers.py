"""Odoo's web controllers that Ballast reaches: login, session, JSON-RPC, the database manager
and the invoice report (addons/web/controllers/*.py and odoo/addons/base/controllers/rpc.py)."""
import io
import json
import logging
import urllib.parse

import psycopg2

from . import dbtools, models, orm, pages, pdf, pg, rpc, sessions
from .httpbase import Response, db_filter, db_list

_logger = logging.getLogger("odoo.http")
MANAGER_ERRORS = {"create": "Database creation error", "duplicate": "Database duplication error",
                  "drop": "Database deletion error", "backup": "Database backup error",
                  "restore": "Database restore error", "change_password": "Master password update error"}


class SessionExpired(Exception):
    pass


class Controllers:
    def __init__(self, app):
        self.app, self.config = app, app.config

    # --- JSON routes --------------------------------------------------------------------
    def json_route(self, ctx, handler):
        if ctx.request.method != "POST" or ctx.request.mimetype not in ("application/json", "application/json-rpc"):
            return Response.error(400, "Request inferred type is compatible with ['http'] but the route is type=json")
        try:
            body = json.loads(ctx.request.body or b"{}")
        except ValueError:
            return Response.error(400, "Invalid JSON data")
        request_id = body.get("id") if isinstance(body, dict) else None
        params = body.get("params", {}) if isinstance(body, dict) else {}
        try:
            result = handler(ctx, params if isinstance(params, dict) else {})
        except SessionExpired as error:
            return Response.json({"jsonrpc": "2.0", "id": request_id, "error": {
                "code": 100, "message": "Odoo Session Expired", "data": rpc.error_payload(error)}})
        except Exception as error:  # every failure becomes a JSON-RPC error, as in Odoo
            if not isinstance(error, (orm.OdooError, psycopg2.Error, ValueError, KeyError)):
                _logger.exception("Exception during JSON request handling.")
            return Response.json({"jsonrpc": "2.0", "id": request_id, "error": {
                "code": 200, "message": "Odoo Server Error", "data": rpc.error_payload(error)}})
        answer = {"jsonrpc": "2.0", "id": request_id}
        if result is not None:  # Odoo leaves "result" out when a method returns nothing
            answer["result"] = result
        return Response.json(answer)

    def jsonrpc(self, ctx, params):
        return rpc.dispatch(self.config, params.get("service"), params.get("method"), params.get("args"),
                            ctx.request.remote_addr)

    def _login_session(self, ctx, db, login, uid):
        with pg.cursor(self.config, db) as cur:
            ctx.sid = sessions.new_sid()  # a new id on login, so a planted session id is useless
            ctx.session.update(db=db, uid=uid, login=login,
                               session_token=sessions.session_token(cur, ctx.secret(cur), uid, ctx.sid))
        ctx.save_session()

    def authenticate(self, ctx, params):
        db, login, password = params.get("db"), params.get("login"), params.get("password")
        if not db or not self.app_filter(ctx, db):
            raise orm.AccessError("Database not found.")
        base = params.get("base_location") or ctx.request.url_root.rstrip("/")
        uid = rpc.authenticate(self.config, db, login, password, base, ctx.request.remote_addr)
        old = ctx.sid
        self._login_session(ctx, db, login, uid)
        sessions.delete(self.config, old)
        ctx.db = db
        return self.session_info(ctx, {})

    def app_filter(self, ctx, db):
        return db_filter(self.config, [db], ctx.request.host)

    def session_info(self, ctx, params):
        uid = ctx.user()
        if not uid:
            raise SessionExpired("Session expired")
        with pg.cursor(self.config, ctx.db) as cur:
            cur.execute("SELECT u.login, p.id, p.name FROM res_users u JOIN res_partner p ON p.id = u.partner_id "
                        "WHERE u.id = %s", (uid,))
            login, partner_id, name = cur.fetchone()
            system = rpc.is_system(cur, uid)
            base_url = pg.get_param(cur, "web.base.url")
        return {"uid": uid, "is_system": system, "is_admin": system, "is_public": False, "is_internal_user": True,
                "user_context": {"lang": "en_US", "tz": False, "uid": uid}, "db": ctx.db,
                "server_version": "18.0", "server_version_info": rpc.VERSION["server_version_info"],
                "support_url": "https://www.odoo.com/buy", "name": name, "username": login,
                "partner_display_name": name, "partner_id": partner_id, "web.base.url": base_url,
                "user_companies": {"current_company": 1,
                                   "allowed_companies": {"1": {"id": 1, "name": "My Company"}}}}

    # --- HTTP routes --------------------------------------------------------------------
    def _ensure_db(self, ctx):
        if not ctx.db:
            return Response.redirect("/web/database/selector")
        return None

    def login(self, ctx):
        redirect = self._ensure_db(ctx)
        if redirect:
            return redirect
        form = ctx.request.form()
        error_text = ""
        if ctx.request.method == "POST":
            with pg.cursor(self.config, ctx.db) as cur:
                secret = ctx.secret(cur)
            if not sessions.csrf_valid(secret, ctx.sid, form.get("csrf_token")):
                _logger.warning("CSRF validation failed on path '/web/login'")
                return Response.error(400, "Session expired (invalid CSRF token)")
            try:
                uid = rpc.authenticate(self.config, ctx.db, form.get("login"), form.get("password"),
                                       ctx.request.url_root.rstrip("/"), ctx.request.remote_addr)
            except orm.AccessDenied:
                error_text = "Wrong login/password"
            else:
                old = ctx.sid
                self._login_session(ctx, ctx.db, form.get("login"), uid)
                sessions.delete(self.config, old)
                return Response.redirect(form.get("redirect") or "/odoo")
        elif form.get("redirect") and ctx.user():
            return Response.redirect(form["redirect"])
        with pg.cursor(self.config, ctx.db) as cur:
            csrf = sessions.csrf_token(ctx.secret(cur), ctx.sid)
        ctx.save_session()  # the CSRF token is bound to this session id
        body = pages.login(ctx.db, ctx.request.url_root, csrf, bool(self.config.get("list_db")), error_text,
                           form.get("login", ""), form.get("redirect", ""), ctx.banner())
        return Response(200, body, headers=[("Cache-Control", "no-cache"), ("X-Frame-Options", "SAMEORIGIN"),
                                            ("Content-Security-Policy", "frame-ancestors 'self'")])

    def logout(self, ctx):
        ctx.session.update(uid=None, login=None, session_token=None)
        ctx.save_session(rotate=True)
        return Response.redirect(ctx.request.form().get("redirect") or "/odoo")

    def webclient(self, ctx):
        redirect = self._ensure_db(ctx)
        if redirect:
            return redirect
        uid = ctx.user()
        if not uid:
            target = urllib.parse.quote(ctx.request.full_path, safe="")
            return Response.redirect(f"/web/login?redirect={target}")
        with pg.cursor(self.config, ctx.db) as cur:
            name = models.Env(self.config, ctx.db, cur, uid).model("res.users").display_names([uid]).get(uid)
        return Response(200, pages.webclient(ctx.db, name or ""), headers=[("X-Frame-Options", "DENY")])

    def invoice_report(self, ctx, ids):
        uid = ctx.user()
        if not uid:
            target = urllib.parse.quote(ctx.request.full_path, safe="")
            return Response.redirect(f"/web/login?redirect={target}")
        pages_ = []
        with pg.cursor(self.config, ctx.db) as cur:
            env = models.Env(self.config, ctx.db, cur, uid)
            try:
                moves = env.model("account.move").read(ids, ["name", "state", "partner_id", "invoice_date",
                                                             "amount_total", "invoice_line_ids"])
            except orm.OdooError as error:
                return Response.error(400, str(error))
            for move in moves:
                title = move["name"] if move["state"] == "posted" else "Draft Invoice"
                lines = [f"Invoice {title}", f"Customer: {move['partner_id'][1] if move['partner_id'] else ''}",
                         f"Invoice Date: {move['invoice_date'] or ''}"]
                for line in env.model("account.move.line").read(move["invoice_line_ids"],
                                                                ["name", "quantity", "price_unit", "price_subtotal"]):
                    lines.append(f"{line['name'] or ''}  {line['quantity']:g} x {line['price_unit']:.2f} = "
                                 f"{line['price_subtotal'] or 0:.2f}")
                lines.append(f"Total: {move['amount_total'] or 0:.2f}")
                pages_.append(lines)
        body = pdf.render(pages_)
        return Response(200, body, "application/pdf")

    # --- database manager ---------------------------------------------------------------
    def database(self, ctx, action):
        if action == "list":
            def handler(ctx, params):
                if not self.config.get("list_db"):
                    raise orm.AccessDenied()
                return db_list(self.config, ctx.request.host, force=False)
            return self.json_route(ctx, handler)
        if action in ("manager", "selector") or ctx.request.method != "POST" or action not in MANAGER_ERRORS:
            if action not in ("manager", "selector", "database"):
                return Response.error(404)
            databases = db_list(self.config, ctx.request.host) if self.config.get("list_db") else []
            return Response(200, pages.database_manager(bool(self.config.get("list_db")), databases,
                                                        manage=action == "manager"))
        form = ctx.request.form()
        try:
            # Master password first, then list_db, as odoo.service.db.dispatch checks them.
            if not rpc.check_master(self.config, form.get("master_pwd")) or not self.config.get("list_db"):
                raise orm.AccessDenied()
            if action == "drop":
                dbtools.drop_db(self.config, form["name"])
            elif action == "duplicate":
                dbtools.duplicate_db(self.config, form["name"], form["new_name"],
                                     bool(form.get("neutralize_database")))
            elif action == "backup":
                buffer = io.BytesIO()
                dbtools.dump_db(self.config, form["name"], buffer)
                return Response(200, buffer.getvalue(), "application/octet-stream; charset=binary",
                                [("Content-Disposition", f"attachment; filename*=UTF-8''{form['name']}.zip")])
            else:
                raise NotImplementedError("not supported by the Odoo stand-in")
            return Response.redirect("/web/database/manager")
        except Exception as error:
            return Response(200, pages.database_manager(bool(self.config.get("list_db")), [],
                                                        f"{MANAGER_ERRORS[action]}: {error}"))
