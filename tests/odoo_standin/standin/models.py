"""object.execute_kw on a few Odoo models, over real tables."""
import base64
import datetime
import hashlib
import os

from . import db as database

TABLES = {
    "res.users": ("res_users", ["login", "password", "active", "partner_id", "groups"]),
    "res.partner": ("res_partner", ["name", "email", "is_company", "active"]),
    "project.project": ("project_project", ["name", "partner_id", "active"]),
    "account.analytic.line": ("account_analytic_line", ["name", "project_id", "unit_amount", "date", "user_id"]),
    "account.move": ("account_move", ["name", "state", "move_type", "partner_id", "amount_total", "invoice_date"]),
    "ir.attachment": ("ir_attachment", ["name", "store_fname", "checksum", "res_model", "res_id", "file_size"]),
}
OPERATORS = {"=": "=", "!=": "<>", ">": ">", "<": "<", ">=": ">=", "<=": "<=", "ilike": "ILIKE", "like": "LIKE"}


class UserError(Exception):
    """Reported as odoo.exceptions.UserError."""


def _where(columns, domain):
    clauses, args = [], []
    for term in domain or []:
        if isinstance(term, str):
            continue  # '&' is implicit; '|' is not supported by the stand-in
        field, op, value = term
        if field != "id" and field not in columns:
            raise UserError(f"Invalid field {field!r}")
        if op == "in":
            clauses.append(f"{field} = ANY(%s)")
            args.append(list(value))
        elif op in OPERATORS:
            if op in ("ilike", "like") and "%" not in str(value):
                value = f"%{value}%"
            clauses.append(f"{field} {OPERATORS[op]} %s")
            args.append(value)
        else:
            raise UserError(f"Unsupported operator {op!r}")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


def _jsonable(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if hasattr(value, "as_integer_ratio") and not isinstance(value, (int, float)):
        return float(value)
    return value


def _rows(cur, table, columns, ids=None, domain=None, fields=None, limit=None):
    wanted = [f for f in (fields or columns) if f in columns and f != "password"]
    where, args = _where(columns, domain)
    if ids is not None:
        where += (" AND " if where else " WHERE ") + "id = ANY(%s)"
        args.append(list(ids))
    sql = f"SELECT id{''.join(', ' + f for f in wanted)} FROM {table}{where} ORDER BY id"
    if limit:
        sql += f" LIMIT {int(limit)}"
    cur.execute(sql, args)
    return [dict(zip(["id"] + wanted, map(_jsonable, row))) for row in cur.fetchall()]


def _store_attachment(config, dbname, values):
    raw = base64.b64decode(values.pop("datas", "") or "")
    sha1 = hashlib.sha1(raw).hexdigest()
    path = os.path.join(database.filestore(config, dbname), sha1[:2], sha1)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(raw)
    values.update(store_fname=f"{sha1[:2]}/{sha1}", checksum=sha1, file_size=len(raw))


def _collect_garbage(config, dbname, cur, fnames):
    for fname in fnames:
        cur.execute("SELECT count(*) FROM ir_attachment WHERE store_fname = %s", (fname,))
        if cur.fetchone()[0] == 0:
            try:
                os.remove(os.path.join(database.filestore(config, dbname), fname))
            except FileNotFoundError:
                pass


def execute(config, dbname, cur, uid, model, method, args, kwargs):
    if model not in TABLES:
        raise UserError(f"Object {model} doesn't exist")
    table, columns = TABLES[model]
    kwargs = kwargs or {}
    if method == "create":
        records = args[0] if isinstance(args[0], list) else [args[0]]
        ids = []
        for values in records:
            values = dict(values)
            if model == "ir.attachment":
                _store_attachment(config, dbname, values)
            if model == "res.users" and "password" in values:
                from . import passwords
                values["password"] = passwords.hash_password(values["password"])
            keys = [k for k in values if k in columns]
            cur.execute(f"INSERT INTO {table} ({', '.join(keys) or 'id'}) VALUES "
                        f"({', '.join(['%s'] * len(keys)) or 'DEFAULT'}) RETURNING id",
                        [values[k] for k in keys])
            ids.append(cur.fetchone()[0])
        return ids if isinstance(args[0], list) else ids[0]
    if method == "read":
        return _rows(cur, table, columns, ids=args[0], fields=kwargs.get("fields") or (args[1] if len(args) > 1 else None))
    if method == "search_read":
        return _rows(cur, table, columns, domain=args[0] if args else kwargs.get("domain"),
                     fields=kwargs.get("fields"), limit=kwargs.get("limit"))
    if method in ("search", "search_count"):
        found = [r["id"] for r in _rows(cur, table, columns, domain=args[0] if args else kwargs.get("domain"), fields=[])]
        return len(found) if method == "search_count" else found
    if method == "write":
        ids, values = args[0], args[1]
        keys = [k for k in values if k in columns]
        if keys:
            cur.execute(f"UPDATE {table} SET {', '.join(k + ' = %s' for k in keys)} WHERE id = ANY(%s)",
                        [values[k] for k in keys] + [list(ids)])
        return True
    if method == "unlink":
        fnames = []
        if model == "ir.attachment":
            cur.execute("SELECT store_fname FROM ir_attachment WHERE id = ANY(%s)", (list(args[0]),))
            fnames = [r[0] for r in cur.fetchall() if r[0]]
        if model == "account.move":
            cur.execute("SELECT count(*) FROM account_move WHERE id = ANY(%s) AND state = 'posted'", (list(args[0]),))
            if cur.fetchone()[0]:
                raise UserError("You cannot delete an entry which has been posted once.")
        cur.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", (list(args[0]),))
        _collect_garbage(config, dbname, cur, fnames)
        return True
    if model == "account.move" and method == "action_post":
        year = datetime.date.today().year
        for move_id in args[0]:
            cur.execute("SELECT count(*) FROM account_move WHERE state = 'posted' AND name LIKE %s", (f"INV/{year}/%",))
            number = cur.fetchone()[0] + 1
            cur.execute("UPDATE account_move SET state = 'posted', name = %s, invoice_date = coalesce(invoice_date, "
                        "CURRENT_DATE) WHERE id = %s AND state = 'draft'", (f"INV/{year}/{number:05d}", move_id))
        return True
    raise UserError(f"The method {method!r} does not exist on the model {model!r}")
