"""The Odoo models the stand-in serves over JSON-RPC, and the behaviour of each that Ballast
depends on (invoice posting and numbering, the attachment file store, password hashing)."""
import base64
import datetime
import hashlib
import mimetypes
import os

from . import passwords
from .orm import AccessError, Field, Model, UserError

TODAY = lambda env: datetime.date.today().isoformat()  # noqa: E731
ME = lambda env: env.uid  # noqa: E731
COMPANY = lambda env: 1  # noqa: E731


class Env:
    """What a model method sees: the transaction, the caller, the installed modules."""

    def __init__(self, config, db, cur, uid):
        self.config, self.db, self.cur, self.uid = config, db, cur, uid
        cur.execute("SELECT name FROM ir_module_module WHERE state IN ('installed', 'to upgrade')")
        self.installed = {row[0] for row in cur.fetchall()}
        cur.execute("SELECT 1 FROM res_groups_users_rel r JOIN ir_model_data d ON d.res_id = r.gid AND "
                    "d.model = 'res.groups' AND d.module = 'base' AND d.name = 'group_system' WHERE r.uid = %s", (uid,))
        self.is_system = cur.fetchone() is not None
        self.after_commit = {}  # work that must see the committed transaction (file store GC)

    def model(self, name):
        cls = REGISTRY.get(name)
        if cls is None or cls.module not in self.installed:
            raise UserError(f"Object {name} doesn't exist")
        if cls.admin_only and not self.is_system:
            raise AccessError(f"You are not allowed to access '{cls.label}' ({name}) records.\n\n"
                              "This operation is allowed for the following groups:\n\t- Administration/Settings")
        return cls(self)


class Partner(Model):
    name, table, module, order = "res.partner", "res_partner", "base", "name, id DESC"
    fields = {"name": Field("char", required=True), "email": Field("char"), "phone": Field("char"), "is_company": Field("bool"),
              "active": Field("bool", default=True), "company_id": Field("m2o", "res.company", default=COMPANY),
              # account's required selection: NOT NULL in the table, no SQL default (as in Odoo)
              "autopost_bills": Field("char", required=True, default="ask", module="account"),
              "create_date": Field("datetime", readonly=True), "write_date": Field("datetime", readonly=True)}


class Company(Model):
    name, table, module = "res.company", "res_company", "base"
    fields = {"name": Field("char", required=True), "partner_id": Field("m2o", "res.partner", readonly=True)}


class Users(Model):
    name, table, module, order, rec_name = "res.users", "res_users", "base", "login", "login"
    fields = {"login": Field("char", required=True), "name": Field("char", stored=False),
              "password": Field("char", stored=False), "active": Field("bool", default=True),
              "partner_id": Field("m2o", "res.partner"), "company_id": Field("m2o", "res.company", default=COMPANY),
              "share": Field("bool", readonly=True), "create_date": Field("datetime", readonly=True)}

    def display_names(self, ids):
        self.cur.execute("SELECT u.id, p.name FROM res_users u JOIN res_partner p ON p.id = u.partner_id "
                         "WHERE u.id = ANY(%s)", (list(ids),))
        return dict(self.cur.fetchall())

    def create_one(self, stored, other):
        if not stored.get("partner_id"):
            name = other.get("name") or stored.get("login")
            email = stored.get("login") if "@" in str(stored.get("login")) else False
            stored["partner_id"] = self.env.model("res.partner").insert({"name": name, "email": email})
        uid = self.insert(stored)
        self.after_write([uid], other)
        self.cur.execute("INSERT INTO res_groups_users_rel (gid, uid) SELECT res_id, %s FROM ir_model_data "
                         "WHERE module = 'base' AND name = 'group_user' AND model = 'res.groups'", (uid,))
        return uid

    def after_write(self, ids, other):
        if other.get("password"):
            self.cur.execute("UPDATE res_users SET password = %s WHERE id = ANY(%s)",
                             (passwords.hash_password(other["password"]), ids))
        if other.get("name"):
            self.cur.execute("UPDATE res_partner SET name = %s WHERE id IN (SELECT partner_id FROM res_users "
                             "WHERE id = ANY(%s))", (other["name"], ids))

    def compute(self, name, rows):
        names = self.display_names([r["id"] for r in rows]) if name == "name" else {}
        for r in rows:
            r[name] = names.get(r["id"], False) if name == "name" else ""  # Odoo never reads passwords back

    def unlink(self, ids):
        if {1, 2} & set(ids if isinstance(ids, list) else [ids]):
            raise UserError("You can not remove the admin user as it is used internally for resources created "
                            "by Odoo (updates, module installation, ...)")
        return super().unlink(ids)


class Project(Model):
    name, table, module, order = "project.project", "project_project", "project", "sequence, name, id"
    fields = {"name": Field("jsonchar", required=True, label="Name"), "partner_id": Field("m2o", "res.partner"),
              "company_id": Field("m2o", "res.company"), "active": Field("bool", default=True),
              "sequence": Field("int", default=10), "allow_timesheets": Field("bool", default=True)}


class Employee(Model):
    name, table, module = "hr.employee", "hr_employee", "hr"
    fields = {"name": Field("char"), "user_id": Field("m2o", "res.users"), "active": Field("bool", default=True),
              "company_id": Field("m2o", "res.company", default=COMPANY)}


class AnalyticLine(Model):
    name, table, module, order = "account.analytic.line", "account_analytic_line", "analytic", "date DESC, id DESC"
    fields = {"name": Field("char", required=True, label="Description"), "date": Field("date", default=TODAY),
              "amount": Field("float", default=0), "unit_amount": Field("float"),
              "user_id": Field("m2o", "res.users", default=ME), "partner_id": Field("m2o", "res.partner"),
              "company_id": Field("m2o", "res.company", default=COMPANY),
              "project_id": Field("m2o", "project.project", module="hr_timesheet"),
              "employee_id": Field("m2o", "hr.employee", module="hr_timesheet")}

    def create_one(self, stored, other):
        if stored.get("project_id") and not stored.get("employee_id") and "hr_timesheet" in self.env.installed:
            self.cur.execute("SELECT id FROM hr_employee WHERE user_id = %s AND active ORDER BY id LIMIT 1",
                             (stored.get("user_id") or self.env.uid,))
            row = self.cur.fetchone()
            if row:
                stored["employee_id"] = row[0]
        return self.insert(stored)


class Journal(Model):
    name, table, module = "account.journal", "account_journal", "account"
    fields = {"name": Field("jsonchar", required=True), "code": Field("char", required=True),
              "type": Field("selection", required=True), "active": Field("bool", default=True),
              "company_id": Field("m2o", "res.company", default=COMPANY)}


JOURNAL_TYPE = {"out_invoice": "sale", "out_refund": "sale", "in_invoice": "purchase", "in_refund": "purchase"}


class Move(Model):
    name, table, module, order = "account.move", "account_move", "account", "date DESC, name DESC, id DESC"
    fields = {"name": Field("char", readonly=True), "ref": Field("char"), "state": Field("selection", readonly=True),
              "move_type": Field("selection", default="entry"), "journal_id": Field("m2o", "account.journal"),
              "partner_id": Field("m2o", "res.partner"), "date": Field("date", default=TODAY),
              "invoice_date": Field("date"), "amount_untaxed": Field("float", readonly=True),
              "amount_total": Field("float", readonly=True),
              "company_id": Field("m2o", "res.company", default=COMPANY),
              "invoice_line_ids": Field("o2m", "account.move.line", stored=False),
              "line_ids": Field("o2m", "account.move.line", stored=False)}

    def display_names(self, ids):
        self.cur.execute("SELECT id, name, state FROM account_move WHERE id = ANY(%s)", (list(ids),))
        return {i: (name if state == "posted" else f"Draft ({i})") for i, name, state in self.cur.fetchall()}

    def create_one(self, stored, other):
        move_type = stored.get("move_type") or "entry"
        if not stored.get("journal_id"):
            self.cur.execute("SELECT id FROM account_journal WHERE type = %s AND active ORDER BY id LIMIT 1",
                             (JOURNAL_TYPE.get(move_type, "general"),))
            row = self.cur.fetchone()
            if not row:
                raise UserError("No journal could be found in company My Company for any of those types: "
                                f"{JOURNAL_TYPE.get(move_type, 'general')}")
            stored["journal_id"] = row[0]
        stored.update(name="/", state="draft")  # readonly for callers, set here as Odoo computes them
        move_id = self.insert(stored)
        self.after_write([move_id], other)
        return move_id

    def after_write(self, ids, other):
        lines = self.env.model("account.move.line")
        for move_id in ids:
            for command in list(other.get("invoice_line_ids") or []) + list(other.get("line_ids") or []):
                code = command[0]
                if code == 0:
                    lines.insert({**lines.split(command[2])[0], "move_id": move_id})
                elif code == 1:
                    lines.write([command[1]], command[2])
                elif code in (2, 3):
                    lines.unlink([command[1]])
                elif code == 5:
                    self.cur.execute("DELETE FROM account_move_line WHERE move_id = %s", (move_id,))
                else:
                    raise UserError(f"The stand-in does not support x2many command {code} here")
            self.cur.execute("UPDATE account_move_line SET price_subtotal = quantity * price_unit, "
                             "price_total = quantity * price_unit WHERE move_id = %s", (move_id,))
            self.cur.execute("UPDATE account_move SET amount_untaxed = t.total, amount_total = t.total FROM "
                             "(SELECT coalesce(sum(price_subtotal), 0) AS total FROM account_move_line "
                             "WHERE move_id = %s AND display_type = 'product') AS t WHERE id = %s", (move_id, move_id))

    def compute(self, name, rows):
        for r in rows:
            self.cur.execute("SELECT id FROM account_move_line WHERE move_id = %s ORDER BY id", (r["id"],))
            r[name] = [row[0] for row in self.cur.fetchall()]

    def unlink(self, ids):
        self.cur.execute("SELECT count(*) FROM account_move WHERE id = ANY(%s) AND state = 'posted'", (list(ids),))
        if self.cur.fetchone()[0]:
            raise UserError("You cannot delete an entry which has been posted once.")
        return super().unlink(ids)

    def action_post(self, ids):
        for move_id in self.browse_check(ids):
            self.cur.execute("SELECT m.state, m.move_type, m.partner_id, m.invoice_date, m.date, j.code, j.type, "
                             "(SELECT count(*) FROM account_move_line l WHERE l.move_id = m.id), m.name "
                             "FROM account_move m JOIN account_journal j ON j.id = m.journal_id WHERE m.id = %s",
                             (move_id,))
            state, move_type, partner, invoice_date, date, code, journal_type, lines, name = self.cur.fetchone()
            if state != "draft":
                raise UserError(f"The entry {name} (id {move_id}) must be in draft.")
            if not lines:
                raise UserError("You need to add a line before posting.")
            if move_type in JOURNAL_TYPE and not partner:
                raise UserError("The field 'Customer' is required, please complete it to validate the Customer Invoice.")
            if move_type in JOURNAL_TYPE:
                date = invoice_date = invoice_date or datetime.date.today()
            # Odoo's sequence mixin: yearly numbering for sale/purchase journals, monthly otherwise.
            prefix = f"{code}/{date.year}/" if journal_type in ("sale", "purchase") else f"{code}/{date.year}/{date.month:02d}/"
            self.cur.execute("SELECT coalesce(max(sequence_number), 0) + 1 FROM account_move "
                             "WHERE journal_id = (SELECT journal_id FROM account_move WHERE id = %s) "
                             "AND sequence_prefix = %s", (move_id, prefix))
            number = self.cur.fetchone()[0]
            digits = 5 if journal_type in ("sale", "purchase") else 4
            self.cur.execute("UPDATE account_move SET state = 'posted', name = %s, sequence_prefix = %s, "
                             "sequence_number = %s, invoice_date = %s, date = %s WHERE id = %s",
                             (f"{prefix}{number:0{digits}d}", prefix, number, invoice_date, date, move_id))
        return True


class MoveLine(Model):
    name, table, module = "account.move.line", "account_move_line", "account"
    fields = {"move_id": Field("m2o", "account.move", required=True), "name": Field("char"),
              "display_type": Field("selection", default="product"), "quantity": Field("float", default=1),
              "price_unit": Field("float", default=0), "price_subtotal": Field("float", readonly=True),
              "price_total": Field("float", readonly=True)}


class Attachment(Model):
    """Binary content lives in the file store, content-addressed by SHA-1, like Odoo's."""
    name, table, module, order = "ir.attachment", "ir_attachment", "base", "id DESC"
    fields = {"name": Field("char", required=True), "res_model": Field("char"), "res_id": Field("int"),
              "res_field": Field("char"), "type": Field("selection", default="binary"), "public": Field("bool"),
              "mimetype": Field("char"), "company_id": Field("m2o", "res.company", default=COMPANY),
              "datas": Field("binary", stored=False), "store_fname": Field("char", readonly=True),
              "checksum": Field("char", readonly=True), "file_size": Field("int", readonly=True)}

    def store(self):
        return self.env.config.filestore(self.env.db)

    def write_file(self, raw):
        sha = hashlib.sha1(raw).hexdigest()
        fname = f"{sha[:2]}/{sha}"
        path = os.path.join(self.store(), fname)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(raw)
            self.mark_for_gc(fname)  # in case the transaction aborts, as Odoo does
        return {"store_fname": fname, "checksum": sha, "file_size": len(raw)}

    def mark_for_gc(self, fname):
        marker = os.path.join(self.store(), "checklist", fname)
        os.makedirs(os.path.dirname(marker), exist_ok=True)
        open(marker, "ab").close()
        self.env.after_commit["gc_file_store"] = self.gc_file_store

    def gc_file_store(self, cur):
        """Removes checklisted files no row references (Odoo does this in its autovacuum cron;
        the stand-in does it right after the transaction, so tests need not wait a day)."""
        cur.execute("LOCK ir_attachment IN SHARE MODE")
        checklist = os.path.join(self.store(), "checklist")
        for root, _, files in os.walk(checklist):
            for name in files:
                fname = f"{os.path.basename(root)}/{name}"
                cur.execute("SELECT 1 FROM ir_attachment WHERE store_fname = %s LIMIT 1", (fname,))
                if cur.fetchone() is None:
                    try:
                        os.unlink(os.path.join(self.store(), fname))
                    except FileNotFoundError:
                        pass
                os.unlink(os.path.join(root, name))

    def create_one(self, stored, other):
        stored.setdefault("mimetype", mimetypes.guess_type(stored.get("name") or "")[0] or "application/octet-stream")
        if other.get("datas"):
            stored.update(self.write_file(base64.b64decode(other["datas"])))
        return self.insert(stored)

    def after_write(self, ids, other):
        if "datas" in other:
            self.cur.execute("SELECT store_fname FROM ir_attachment WHERE id = ANY(%s)", (ids,))
            old = [row[0] for row in self.cur.fetchall() if row[0]]
            stored = self.write_file(base64.b64decode(other["datas"] or b""))
            self.cur.execute("UPDATE ir_attachment SET store_fname = %s, checksum = %s, file_size = %s "
                             "WHERE id = ANY(%s)", (stored["store_fname"], stored["checksum"], stored["file_size"], ids))
            for fname in old:
                self.mark_for_gc(fname)

    def compute(self, name, rows):
        for r in rows:
            self.cur.execute("SELECT store_fname FROM ir_attachment WHERE id = %s", (r["id"],))
            fname = self.cur.fetchone()[0]
            if not fname:
                r[name] = False
                continue
            with open(os.path.join(self.store(), fname), "rb") as f:
                r[name] = base64.b64encode(f.read()).decode()

    def unlink(self, ids):
        self.cur.execute("SELECT store_fname FROM ir_attachment WHERE id = ANY(%s)", (list(ids),))
        fnames = [row[0] for row in self.cur.fetchall() if row[0]]
        super().unlink(ids)
        for fname in fnames:
            self.mark_for_gc(fname)
        return True


class ConfigParameter(Model):
    name, table, module, order, rec_name, admin_only = "ir.config_parameter", "ir_config_parameter", "base", "key", "key", True
    label = "System Parameter"
    fields = {"key": Field("char", required=True), "value": Field("text", required=True)}


class Cron(Model):
    name, table, module, rec_name, admin_only, label = "ir.cron", "ir_cron", "base", "cron_name", True, "Scheduled Actions"
    fields = {"cron_name": Field("char", readonly=True), "active": Field("bool", default=True),
              "interval_number": Field("int"), "interval_type": Field("selection"), "nextcall": Field("datetime")}


class MailServer(Model):
    name, table, module, admin_only, label = "ir.mail_server", "ir_mail_server", "base", True, "Mail Server"
    fields = {"name": Field("char", required=True), "smtp_host": Field("char"), "smtp_port": Field("int"),
              "smtp_encryption": Field("selection", default="none"), "active": Field("bool", default=True)}


class Mail(Model):
    """Outgoing mail (mail.mail): `send` delivers through the first active mail server by
    sequence, else the config file's smtp_server/smtp_port, as Odoo does; a failure marks the
    mail 'exception' with the reason instead of raising (Odoo's raise_exception=False)."""
    name, table, module, admin_only, label = "mail.mail", "mail_mail", "mail", True, "Outgoing Mails"
    fields = {"subject": Field("char"), "body_html": Field("text"), "email_from": Field("char"),
              "email_to": Field("char"), "state": Field("selection", readonly=True),
              "failure_reason": Field("text", readonly=True), "mail_server_id": Field("m2o", "ir.mail_server")}

    def _server(self, mail_server_id):
        if mail_server_id:
            self.cur.execute("SELECT smtp_host, smtp_port FROM ir_mail_server WHERE id = %s", (mail_server_id,))
        else:
            self.cur.execute("SELECT smtp_host, smtp_port FROM ir_mail_server WHERE active "
                             "ORDER BY sequence, id LIMIT 1")
        row = self.cur.fetchone()
        if row:
            return row[0], row[1]
        return self.env.config.get("smtp_server") or "localhost", int(self.env.config.get("smtp_port") or 25)

    def send(self, ids, auto_commit=False, raise_exception=False):
        import smtplib
        from email.message import EmailMessage
        ids = self.browse_check(ids)
        self.cur.execute("SELECT id, subject, body_html, email_from, email_to, mail_server_id FROM mail_mail "
                         "WHERE id = ANY(%s) AND state = 'outgoing' ORDER BY id", (ids,))
        for mail_id, subject, body, sender, to, server_id in self.cur.fetchall():
            sender = sender or self.env.config.get("email_from") or "odoo@localhost"
            recipients = [a.strip() for a in (to or "").split(",") if a.strip()]
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = sender, ", ".join(recipients), subject or ""
            message.set_content(body or "", subtype="html")
            host, port = self._server(server_id)
            try:
                with smtplib.SMTP(host, port, timeout=10) as smtp:
                    smtp.send_message(message, from_addr=sender, to_addrs=recipients)
                self.cur.execute("UPDATE mail_mail SET state = 'sent', failure_reason = NULL WHERE id = %s",
                                 (mail_id,))
            except (OSError, smtplib.SMTPException) as error:
                if raise_exception:
                    raise UserError(f"Mail Delivery Failed: {error}")
                self.cur.execute("UPDATE mail_mail SET state = 'exception', failure_reason = %s WHERE id = %s",
                                 (str(error), mail_id))
        return None  # Odoo 18's send() documents True but returns nothing: JSON-RPC has no "result"


class FetchmailServer(Model):
    name, table, module, admin_only, label = "fetchmail.server", "fetchmail_server", "mail", True, "Incoming Mail Server"
    fields = {"name": Field("char", required=True), "server": Field("char"), "active": Field("bool", default=True),
              "state": Field("selection", default="draft")}


class Module(Model):
    name, table, module, order, label = "ir.module.module", "ir_module_module", "base", "name", "Module"
    fields = {"name": Field("char", readonly=True), "state": Field("selection", readonly=True),
              "latest_version": Field("char", readonly=True)}


REGISTRY = {cls.name: cls for cls in (Partner, Company, Users, Project, Employee, AnalyticLine, Journal, Move,
                                      MoveLine, Attachment, ConfigParameter, Cron, MailServer, Mail, FetchmailServer, Module)}
