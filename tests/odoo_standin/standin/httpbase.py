"""Requests, responses and the request context Odoo builds before routing: proxy headers
(proxy_mode) and the databases a host may see (dbfilter). Shared by web.py and controllers.py."""
import json
import logging
import re
import urllib.parse

import psycopg2

from . import pages, pg

_logger = logging.getLogger("odoo.http")


class Request:
    def __init__(self, method, target, headers, body, peer):
        self.method = method
        parsed = urllib.parse.urlsplit(target)
        self.path, self.query_string = parsed.path, parsed.query
        self.query = urllib.parse.parse_qs(parsed.query)
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body
        self.remote_addr, self.scheme = peer, "http"
        self.host = self.headers.get("host", "")

    @property
    def url_root(self):
        return f"{self.scheme}://{self.host}/"

    @property
    def full_path(self):
        return f"{self.path}?{self.query_string}"

    @property
    def mimetype(self):
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def cookie(self, name):
        for part in self.headers.get("cookie", "").split(";"):
            key, _, value = part.strip().partition("=")
            if key == name:
                return value
        return None

    def form(self):
        data = urllib.parse.parse_qs(self.body.decode("utf-8", "replace")) if self.mimetype != "application/json" else {}
        merged = {k: v[-1] for k, v in self.query.items()}
        merged.update({k: v[-1] for k, v in data.items()})
        return merged


class Response:
    def __init__(self, status=200, body=b"", content_type="text/html; charset=utf-8", headers=None):
        self.status = status
        self.body = body.encode() if isinstance(body, str) else body
        self.headers = ([("Content-Type", content_type)] if content_type else []) + list(headers or [])
        self.upgrade = None  # set to the Sec-WebSocket-Key when the connection switches protocols

    @classmethod
    def json(cls, payload, status=200, headers=None):
        return cls(status, json.dumps(payload), "application/json", headers)

    @classmethod
    def redirect(cls, location, status=303):
        return cls(status, f'<a href="{location}">{location}</a>', headers=[("Location", location)])

    @classmethod
    def error(cls, status, description=None):
        return cls(status, pages.error(status, description))


def proxy_fix(config, request):
    """Werkzeug's ProxyFix with one trusted hop, applied only in proxy_mode and only when
    X-Forwarded-Host is present (odoo/http.py): a proxy that does not send it is not trusted
    for X-Forwarded-For/Proto either."""
    if not config.get("proxy_mode") or not request.headers.get("x-forwarded-host"):
        return

    def last(name):
        values = [v.strip() for v in request.headers.get(name, "").split(",") if v.strip()]
        return values[-1] if values else None

    request.host = last("x-forwarded-host") or request.host
    request.scheme = last("x-forwarded-proto") or request.scheme
    request.remote_addr = last("x-forwarded-for") or request.remote_addr


def db_filter(config, dbs, host):
    """odoo.http.db_filter: the subset of dbs this host may see."""
    if config.get("dbfilter"):
        host = host.partition(":")[0]
        if host.startswith("www."):
            host = host[4:]
        domain = host.partition(".")[0]
        pattern = re.compile(config["dbfilter"].replace("%h", re.escape(host)).replace("%d", re.escape(domain)))
        return [db for db in dbs if pattern.match(db)]
    if config.get("db_name"):
        exposed = {db.strip() for db in str(config["db_name"]).split(",")}
        return sorted(exposed.intersection(dbs))
    return list(dbs)


def db_list(config, host, force=True):
    try:
        return db_filter(config, pg.list_dbs(config, force), host)
    except psycopg2.OperationalError:
        return []
