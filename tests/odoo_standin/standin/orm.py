"""A minimal ORM over the real tables: fields, domains, and the CRUD methods of execute_kw.

Values go in and out in the shapes Odoo's JSON-RPC uses (many2one as [id, display name],
dates as strings, False for empty), because clients written against the stand-in must keep
working against real Odoo. Errors carry Odoo's exception names for the same reason.
"""
import datetime
import decimal
import json


class OdooError(Exception):
    """An error reported to RPC clients under Odoo's exception name."""
    name = "odoo.exceptions.UserError"


class UserError(OdooError):
    name = "odoo.exceptions.UserError"


class AccessError(OdooError):
    name = "odoo.exceptions.AccessError"


class AccessDenied(OdooError):
    name = "odoo.exceptions.AccessDenied"

    def __init__(self, message="Access Denied"):
        super().__init__(message)


class MissingError(OdooError):
    name = "odoo.exceptions.MissingError"


class ValidationError(OdooError):
    name = "odoo.exceptions.ValidationError"


class Field:
    def __init__(self, kind, comodel=None, required=False, readonly=False, default=None, module=None,
                 stored=True, label=None):
        self.kind, self.comodel, self.required, self.readonly = kind, comodel, required, readonly
        self.default, self.module, self.stored, self.label = default, module, stored, label


class Model:
    """One Odoo model over one table. Subclasses add Odoo's behaviour for specific models."""
    name = table = module = None
    order = "id"
    rec_name = "name"
    admin_only = False  # models only base.group_system may use
    label = None
    fields = {}

    def __init__(self, env):
        self.env = env  # .cur, .uid, .config, .db, .installed, .is_system
        self.cur = env.cur

    # --- schema helpers -----------------------------------------------------------------
    def live_fields(self):
        return {n: f for n, f in self.fields.items() if not f.module or f.module in self.env.installed}

    def field(self, name):
        f = self.live_fields().get(name)
        if f is None and name != "id":
            raise ValueError(f"Invalid field {name!r} on model {self.name!r}")
        return f

    def column(self, name):
        f = self.field(name)
        if f is not None and f.kind == "jsonchar":
            return f"({name}->>'en_US')"
        return name

    # --- domains ------------------------------------------------------------------------
    def where(self, domain):
        domain = list(domain or [])
        mentions_active = any(isinstance(t, (list, tuple)) and t and t[0] == "active" for t in domain)
        if "active" in self.live_fields() and not mentions_active:
            domain = ["&", ("active", "=", True)] + domain if domain else [("active", "=", True)]
        stack, args = [], []
        for term in reversed(domain):
            if term in ("&", "|"):
                left, right = stack.pop(), stack.pop()
                stack.append((f"({left[0]} {'AND' if term == '&' else 'OR'} {right[0]})", left[1] + right[1]))
            elif term == "!":
                inner = stack.pop()
                stack.append((f"(NOT {inner[0]})", inner[1]))
            elif isinstance(term, (list, tuple)) and len(term) == 3:
                stack.append(self.leaf(*term))
            elif term in (1, True, [1, "=", 1]):
                stack.append(("TRUE", []))
            else:
                raise ValueError(f"Invalid leaf {term!r}")
        clauses = []
        for sql, params in reversed(stack):
            clauses.append(sql)
            args += params
        return (" AND ".join(clauses) or "TRUE"), args

    def leaf(self, name, op, value):
        if "." in name:
            raise ValueError(f"Invalid field {name!r} on model {self.name!r}: paths are not supported by the stand-in")
        f = self.field(name)
        col = self.column(name)
        if f is not None and f.kind == "m2o" and isinstance(value, str) and op in ("=", "like", "ilike", "=ilike"):
            comodel = self.env.model(f.comodel)
            pattern = value if op.startswith("=") else f"%{value}%"
            return (f"{col} IN (SELECT id FROM {comodel.table} WHERE {comodel.column(comodel.rec_name)} "
                    f"{'ILIKE' if 'ilike' in op or op == '=' else 'LIKE'} %s)", [pattern])
        if op in ("in", "not in"):
            values = list(value) if isinstance(value, (list, tuple, set)) else [value]
            nulls = [v for v in values if v is False or v is None]
            values = [v for v in values if v is not False and v is not None]
            parts = [f"{col} = ANY(%s)"] if values else []
            parts += [f"{col} IS NULL"] if nulls else []
            sql = "(" + (" OR ".join(parts) or "FALSE") + ")"
            return (sql, [values] if values else []) if op == "in" else (f"NOT coalesce({sql}, false)", [values] if values else [])
        if op == "=" and (value is False or value is None):
            return (f"({col} IS NULL OR {col} = false)" if f is not None and f.kind == "bool" else f"{col} IS NULL"), []
        if op == "!=" and (value is False or value is None):
            return (f"({col} IS NOT NULL AND {col} != false)" if f is not None and f.kind == "bool" else f"{col} IS NOT NULL"), []
        if op in ("=", "<", ">", "<=", ">="):
            return f"{col} {op} %s", [value]
        if op in ("!=", "<>"):
            return f"({col} != %s OR {col} IS NULL)", [value]
        likes = {"like": "LIKE", "ilike": "ILIKE", "not like": "NOT LIKE", "not ilike": "NOT ILIKE",
                 "=like": "LIKE", "=ilike": "ILIKE"}
        if op in likes:
            pattern = value if op.startswith("=") else f"%{value}%"
            return f"{col}::text {likes[op]} %s", [pattern]
        raise ValueError(f"Invalid leaf {(name, op, value)!r}")

    # --- values -------------------------------------------------------------------------
    def to_json(self, name, value):
        if value is None:
            return False
        if isinstance(value, decimal.Decimal):
            return float(value)
        if isinstance(value, datetime.datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(value, datetime.date):
            return value.strftime("%Y-%m-%d")
        return value

    def to_column(self, name, value):
        f = self.fields[name]
        if value is False and f.kind != "bool":
            return None
        if f.kind == "jsonchar":
            return json.dumps({"en_US": value})
        if f.kind == "m2o" and isinstance(value, (list, tuple)):
            return value[0]
        return value

    def display_names(self, ids):
        if not ids:
            return {}
        self.cur.execute(f"SELECT id, {self.column(self.rec_name)} FROM {self.table} WHERE id = ANY(%s)", (list(ids),))
        return {rid: (name or False) for rid, name in self.cur.fetchall()}

    # --- CRUD ---------------------------------------------------------------------------
    def default_values(self):
        return {n: (f.default(self.env) if callable(f.default) else f.default)
                for n, f in self.live_fields().items() if f.default is not None}

    def insert(self, values):
        values = {**self.default_values(), **values}
        for name, f in self.live_fields().items():
            if f.required and f.stored and values.get(name) in (None, False, ""):
                raise ValidationError("The operation cannot be completed:\n- Create/update: a mandatory field is "
                                      f"not set.\n- Delete: another model requires the record being deleted.\n\n"
                                      f"Model: {self.name} ({self.name})\nField: {f.label or name} ({name})")
        keys = [k for k in values if self.live_fields().get(k) is not None and self.fields[k].stored]
        self.cur.execute(f"INSERT INTO {self.table} ({', '.join(keys + ['create_uid', 'write_uid'])}) VALUES "
                         f"({', '.join(['%s'] * (len(keys) + 2))}) RETURNING id",
                         [self.to_column(k, values[k]) for k in keys] + [self.env.uid, self.env.uid])
        return self.cur.fetchone()[0]

    def split(self, values):
        """(stored column values, everything else) after checking every field name."""
        stored, other = {}, {}
        for key, value in (values or {}).items():
            f = self.field(key)
            if f is None:
                continue
            (stored if f.stored and not f.readonly else other)[key] = value
        return stored, other

    def create(self, vals_list):
        single = isinstance(vals_list, dict)
        ids = [self.create_one(*self.split(vals)) for vals in ([vals_list] if single else vals_list)]
        return ids[0] if single else ids

    def create_one(self, stored, other):
        return self.insert(stored)

    def browse_check(self, ids):
        ids = [ids] if isinstance(ids, int) else list(ids or [])
        self.cur.execute(f"SELECT id FROM {self.table} WHERE id = ANY(%s)", (ids,))
        found = {row[0] for row in self.cur.fetchall()}
        missing = [i for i in ids if i not in found]
        if missing:
            raise MissingError("Record does not exist or has been deleted.\n"
                               f"(Record: {self.name}({', '.join(map(str, missing))},), User: {self.env.uid})")
        return ids

    def read(self, ids, fields=None, load="_classic_read"):
        ids = self.browse_check(ids)
        return self.fetch("id = ANY(%s)", [ids], fields, order=None, keep=ids)

    def fetch(self, where, args, fields, order=None, offset=0, limit=None, keep=None):
        wanted = [f for f in (fields or [n for n in self.live_fields()]) if f != "id"]
        columns = [n for n in wanted if self.field(n).stored]
        select = ", ".join(["id"] + [self.column(c) for c in columns])
        sql = f"SELECT {select} FROM {self.table} WHERE {where} ORDER BY {self.order_by(order)}"
        if limit:
            sql += f" LIMIT {int(limit)}"
        if offset:
            sql += f" OFFSET {int(offset)}"
        self.cur.execute(sql, args)
        rows = [dict(zip(["id"] + columns, row)) for row in self.cur.fetchall()]
        for name in wanted:
            f = self.fields[name]
            if f.kind == "m2o" and f.stored:
                names = self.env.model(f.comodel).display_names({r[name] for r in rows if r[name]})
                for r in rows:
                    r[name] = [r[name], names.get(r[name], False)] if r[name] else False
            elif not f.stored:
                self.compute(name, rows)
        result = [{k: (v if k == "id" or self.fields[k].kind in ("m2o", "o2m") or not self.fields[k].stored
                       else self.to_json(k, v)) for k, v in r.items()} for r in rows]
        if keep is not None:  # read() answers in the order of the ids asked for
            by_id = {r["id"]: r for r in result}
            result = [by_id[i] for i in keep if i in by_id]
        return result

    def compute(self, name, rows):
        for r in rows:
            r[name] = False

    def order_by(self, order):
        spec = order or self.order
        parts = []
        for item in spec.split(","):
            words = item.split()
            if not words:
                continue
            column = words[0] if words[0] == "id" else self.column(words[0])
            direction = words[1].upper() if len(words) > 1 and words[1].upper() in ("ASC", "DESC") else "ASC"
            parts.append(f"{column} {direction}")
        return ", ".join(parts) or "id"

    def search(self, domain=None, offset=0, limit=None, order=None, count=False):
        where, args = self.where(domain)
        if count:
            return self.search_count(domain)
        sql = f"SELECT id FROM {self.table} WHERE {where} ORDER BY {self.order_by(order)}"
        sql += f" LIMIT {int(limit)}" if limit else ""
        sql += f" OFFSET {int(offset)}" if offset else ""
        self.cur.execute(sql, args)
        return [row[0] for row in self.cur.fetchall()]

    def search_count(self, domain=None, limit=None):
        where, args = self.where(domain)
        self.cur.execute(f"SELECT count(*) FROM (SELECT id FROM {self.table} WHERE {where}"
                         f"{f' LIMIT {int(limit)}' if limit else ''}) AS matched", args)
        return self.cur.fetchone()[0]

    def search_read(self, domain=None, fields=None, offset=0, limit=None, order=None):
        where, args = self.where(domain)
        return self.fetch(where, args, fields, order, offset, limit)

    def write(self, ids, vals):
        ids = self.browse_check(ids)
        stored, other = self.split(vals)
        if stored:
            sets = ", ".join(f"{k} = %s" for k in stored)
            self.cur.execute(f"UPDATE {self.table} SET {sets}, write_uid = %s, write_date = now() at time zone 'UTC' "
                             f"WHERE id = ANY(%s)", [self.to_column(k, v) for k, v in stored.items()] + [self.env.uid, ids])
        self.after_write(ids, other)
        return True

    def after_write(self, ids, other):
        pass

    def unlink(self, ids):
        ids = self.browse_check(ids)
        self.cur.execute(f"DELETE FROM {self.table} WHERE id = ANY(%s)", (ids,))
        return True

    def name_search(self, name="", args=None, operator="ilike", limit=100):
        domain = list(args or []) + ([(self.rec_name, operator, name)] if name else [])
        ids = self.search(domain, limit=limit)
        names = self.display_names(ids)
        return [[i, names.get(i, False)] for i in ids]

    def fields_get(self, allfields=None, attributes=None):
        kinds = {"jsonchar": "char", "m2o": "many2one", "o2m": "one2many", "bool": "boolean",
                 "int": "integer", "binary": "binary"}
        return {n: {"type": kinds.get(f.kind, f.kind), "string": f.label or n.replace("_", " ").title(),
                    "required": f.required, "readonly": f.readonly, **({"relation": f.comodel} if f.comodel else {})}
                for n, f in self.live_fields().items() if not allfields or n in allfields}
