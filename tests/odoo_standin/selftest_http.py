"""Self-test of the stand-in's processes and HTTP surface: threaded and prefork layouts, login,
JSON-RPC, reports, attachments, websocket, dbfilter, proxy_mode, list_db."""
import base64
import datetime
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
import unittest

from selftest_support import (TMP, call, clone, cookie_of, ensure_template, get, pbkdf2_sha512, query, request,
                              rpc, start, stop, web_login, websocket_handshake, write_config)


def setUpModule():
    ensure_template()


def children(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(p) for p in f.read().split()]


def cmdline(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read()


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False



class Threaded(unittest.TestCase):
    """workers = 0: one process serves everything on http_port, /websocket included."""

    @classmethod
    def setUpClass(cls):
        clone("thr")
        # Ballast sets the admin password with SQL, in passlib's format, before Odoo starts.
        # (Fewer rounds than Ballast's 600000 keep this class fast; Passwords covers 600000.)
        query("thr", "UPDATE res_users SET password = %s WHERE login = 'admin'",
              (pbkdf2_sha512.using(rounds=20000).hash("tenant-pw"),))
        cls.conf, options = write_config("thr", db_name="thr", dbfilter="^thr$")
        cls.port, cls.data_dir = options["http_port"], options["data_dir"]
        cls.proc = start(cls.conf, cls.port)
        cls.uid = rpc(cls.port, "/jsonrpc", {"service": "common", "method": "login",
                                             "args": ["thr", "admin", "tenant-pw"]})[0]["result"]

    @classmethod
    def tearDownClass(cls):
        stop(cls.proc)

    def call(self, model, method, args, kwargs=None):
        return call(self.port, "thr", self.uid, "tenant-pw", model, method, args, kwargs)

    def test_health_and_login_page_naming_the_database(self):
        status, headers, body = get(self.port, "/web/health")
        self.assertEqual((status, json.loads(body)), (200, {"status": "pass"}))
        status, _, page = get(self.port, "/web/login")
        self.assertEqual(status, 200)
        self.assertIn(b'data-db="thr"', page)
        self.assertNotIn(b"Manage Databases", page)  # list_db = False

    def test_browser_login_sets_a_session_stored_like_odoo(self):
        status, headers, _ = web_login(self.port, "admin", "tenant-pw")
        self.assertEqual((status, headers["Location"]), (303, "/odoo"))
        sid = cookie_of(headers)
        self.assertEqual(len(sid), 84)
        self.assertTrue(os.path.isfile(os.path.join(self.data_dir, "sessions", sid[:2], sid)))
        status, _, page = get(self.port, "/odoo", {"Cookie": f"session_id={sid}"})
        self.assertEqual(status, 200)
        status, _, page = web_login(self.port, "admin", "wrong")
        self.assertEqual(status, 200)
        self.assertIn(b"Wrong login/password", page)

    def test_login_post_without_csrf_token_is_refused(self):
        status, _, _ = request(self.port, "POST", "/web/login", "login=admin&password=tenant-pw",
                               {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 400)

    def test_session_authenticate(self):
        answer, headers = rpc(self.port, "/web/session/authenticate",
                              {"db": "thr", "login": "admin", "password": "tenant-pw"})
        self.assertEqual(answer["result"]["uid"], 2)
        self.assertTrue(cookie_of(headers))
        wrong, _ = rpc(self.port, "/web/session/authenticate", {"db": "thr", "login": "admin", "password": "x"})
        self.assertEqual(wrong["error"]["code"], 200)
        self.assertEqual(wrong["error"]["message"], "Odoo Server Error")
        self.assertEqual(wrong["error"]["data"]["name"], "odoo.exceptions.AccessDenied")
        other, _ = rpc(self.port, "/web/session/authenticate", {"db": "tpl", "login": "admin", "password": "admin"})
        self.assertEqual(other["error"]["data"]["name"], "odoo.exceptions.AccessError")  # dbfilter: not this host's

    def test_common_service(self):
        version = rpc(self.port, "/jsonrpc", {"service": "common", "method": "version", "args": []})[0]["result"]
        self.assertEqual(version["server_serie"], "18.0")
        bad = rpc(self.port, "/jsonrpc", {"service": "common", "method": "login", "args": ["thr", "admin", "x"]})[0]
        self.assertIs(bad["result"], False)
        denied = rpc(self.port, "/jsonrpc", {"service": "object", "method": "execute_kw",
                                             "args": ["thr", 2, "x", "res.partner", "search", [[]]]})[0]
        self.assertEqual(denied["error"]["data"]["name"], "odoo.exceptions.AccessDenied")

    def test_timesheets_over_json_rpc(self):
        project = self.call("project.project", "create", [{"name": "Audit 2026"}])
        line = self.call("account.analytic.line", "create",
                         [{"name": "Fieldwork", "project_id": project, "unit_amount": 7.5}])
        read = self.call("account.analytic.line", "read", [[line], ["name", "unit_amount", "project_id", "user_id"]])
        self.assertEqual(read[0]["name"], "Fieldwork")
        self.assertEqual(read[0]["unit_amount"], 7.5)
        self.assertEqual(read[0]["project_id"], [project, "Audit 2026"])
        self.assertEqual(read[0]["user_id"], [2, "Administrator"])
        found = self.call("account.analytic.line", "search_read",
                          [[("project_id", "=", project), ("unit_amount", ">=", 7), ("name", "ilike", "field")]],
                          {"fields": ["name"]})
        self.assertEqual([r["id"] for r in found], [line])
        self.assertEqual(self.call("account.analytic.line", "search_count", [[("project_id", "in", [project])]]), 1)
        self.assertTrue(self.call("account.analytic.line", "write", [[line], {"unit_amount": 8}]))
        self.assertEqual(query("thr", "SELECT unit_amount, employee_id IS NOT NULL FROM account_analytic_line "
                                      "WHERE id = %s", (line,)), [(8, True)])
        self.assertEqual(query("thr", "SELECT name->>'en_US' FROM project_project WHERE id = %s", (project,)),
                         [("Audit 2026",)])
        self.assertTrue(self.call("account.analytic.line", "unlink", [[line]]))
        with self.assertRaisesRegex(AssertionError, "odoo.exceptions.MissingError"):
            self.call("account.analytic.line", "read", [[line]])
        with self.assertRaisesRegex(AssertionError, "odoo.exceptions.UserError: Object no.model doesn't exist"):
            self.call("no.model", "search", [[]])

    def test_invoice_posting_numbering_and_pdf_report(self):
        partner = self.call("res.partner", "create", [{"name": "Client & Co (Paris)"}])
        move = self.call("account.move", "create", [{"move_type": "out_invoice", "partner_id": partner,
                                                     "invoice_line_ids": [[0, 0, {"name": "Audit", "quantity": 3,
                                                                                   "price_unit": 150.5}]]}])
        self.assertTrue(self.call("account.move", "action_post", [[move]]))
        posted = self.call("account.move", "read", [[move], ["name", "state", "amount_total"]])[0]
        year = datetime.date.today().year
        self.assertRegex(posted["name"], rf"^INV/{year}/\d{{5}}$")
        self.assertEqual((posted["state"], posted["amount_total"]), ("posted", 451.5))
        second = self.call("account.move", "create", [{"move_type": "out_invoice", "partner_id": partner,
                                                       "invoice_line_ids": [[0, 0, {"name": "x", "price_unit": 1}]]}])
        self.call("account.move", "action_post", [[second]])
        name2 = self.call("account.move", "read", [[second], ["name"]])[0]["name"]
        self.assertEqual(int(name2[-5:]), int(posted["name"][-5:]) + 1)
        status, headers, _ = get(self.port, f"/report/pdf/account.report_invoice/{move}")
        self.assertEqual(status, 303)  # not logged in: to the login page
        _, login_headers, _ = web_login(self.port, "admin", "tenant-pw")
        status, headers, body = get(self.port, f"/report/pdf/account.report_invoice/{move}",
                                    {"Cookie": f"session_id={cookie_of(login_headers)}"})
        self.assertEqual((status, headers["Content-Type"]), (200, "application/pdf"))
        self.assertTrue(body.startswith(b"%PDF-1.4"))
        self.assertTrue(body.rstrip().endswith(b"%%EOF"))
        path = os.path.join(TMP, "invoice.pdf")
        with open(path, "wb") as f:
            f.write(body)
        self.assertIn("PDF document", subprocess.run(["file", path], capture_output=True, text=True).stdout)
        if shutil.which("pdftotext"):
            text = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, check=True).stdout
            self.assertIn(posted["name"], text)
            self.assertIn("451.50", text)
        with self.assertRaisesRegex(AssertionError, "You cannot delete an entry which has been posted once"):
            self.call("account.move", "unlink", [[move]])

    def test_attachments_use_odoo_file_store_and_collect_garbage(self):
        content = b"engagement letter"
        sha = hashlib.sha1(content).hexdigest()
        data = base64.b64encode(content).decode()
        first = self.call("ir.attachment", "create", [{"name": "letter.txt", "datas": data, "res_model": "res.partner",
                                                       "res_id": 1}])
        second = self.call("ir.attachment", "create", [{"name": "copy.txt", "datas": data}])
        path = os.path.join(self.data_dir, "filestore", "thr", sha[:2], sha)
        self.assertTrue(os.path.isfile(path))
        self.assertEqual(query("thr", "SELECT store_fname, checksum, file_size FROM ir_attachment WHERE id = %s",
                               (first,)), [(f"{sha[:2]}/{sha}", sha, len(content))])
        self.assertEqual(self.call("ir.attachment", "read", [[first], ["datas"]])[0]["datas"], data)
        self.call("ir.attachment", "unlink", [[first]])
        self.assertTrue(os.path.isfile(path), "still referenced by the second attachment")
        self.call("ir.attachment", "unlink", [[second]])
        self.assertFalse(os.path.exists(path), "garbage-collected once unreferenced")

    def test_websocket_in_process(self):
        head, pong, closed = websocket_handshake(self.port, ping=True)
        self.assertTrue(head.startswith("HTTP/1.1 101"), head)
        self.assertIn("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", head)
        self.assertEqual(pong, b"ping")
        self.assertEqual(closed[:1], b"\x88")
        head, _, _ = websocket_handshake(self.port, origin=False)
        self.assertTrue(head.startswith("HTTP/1.1 400"), head)  # Odoo requires Origin



class Prefork(unittest.TestCase):
    """workers > 0: master + HTTP workers on http_port + cron workers + `odoo-bin gevent`."""

    def test_process_layout_ports_websocket_and_signals(self):
        clone("pre")
        conf, options = write_config("pre", db_name="pre", dbfilter="^pre$", workers=2, max_cron_threads=1,
                                     pidfile=os.path.join(TMP, "pre.pid"))
        http_port, gevent_port = options["http_port"], options["gevent_port"]
        master = start(conf, http_port)
        deadline = time.time() + 10
        while time.time() < deadline and len(children(master.pid)) < 4:
            time.sleep(0.05)
        kids = children(master.pid)
        self.assertEqual(len(kids), 4, kids)  # 2 HTTP workers, 1 cron worker, 1 evented process
        with open(options["pidfile"]) as f:
            self.assertEqual(int(f.read()), master.pid)
        for port in (http_port, gevent_port):
            deadline = time.time() + 10
            while True:
                try:
                    self.assertEqual(get(port, "/web/health")[0], 200)
                    break
                except OSError:
                    if time.time() > deadline:
                        raise
                    time.sleep(0.05)
        head, pong, _ = websocket_handshake(gevent_port, ping=True)
        self.assertTrue(head.startswith("HTTP/1.1 101"), head)
        self.assertEqual(pong, b"ping")
        head, _, _ = websocket_handshake(http_port)
        self.assertTrue(head.startswith("HTTP/1.0 500"), head)  # HTTP workers cannot keep the socket
        self.assertEqual(get(http_port, "/web/login")[0], 200)
        gevent = [k for k in kids if b"gevent" in cmdline(k)]
        self.assertEqual(len(gevent), 1)
        victim = next(k for k in kids if k not in gevent)
        os.kill(victim, signal.SIGKILL)
        deadline = time.time() + 10
        while time.time() < deadline and (victim in children(master.pid) or len(children(master.pid)) < 4):
            time.sleep(0.05)
        self.assertEqual(len(children(master.pid)), 4, "a dead worker is replaced")
        os.kill(gevent[0], signal.SIGKILL)
        deadline = time.time() + 10
        while time.time() < deadline and not [k for k in children(master.pid) if k != gevent[0] and b"gevent" in cmdline(k)]:
            time.sleep(0.05)
        self.assertEqual(len([k for k in children(master.pid) if b"gevent" in cmdline(k)]), 1, "and so is the evented one")
        before = set(children(master.pid))
        os.kill(master.pid, signal.SIGHUP)  # Odoo's restart: same pid, fresh children
        deadline = time.time() + 15
        while time.time() < deadline and (before & set(children(master.pid)) or len(children(master.pid)) < 4):
            time.sleep(0.05)
        self.assertFalse(before & set(children(master.pid)))
        self.assertEqual(len(children(master.pid)), 4)
        deadline = time.time() + 10
        while True:
            try:
                self.assertEqual(get(http_port, "/web/health")[0], 200)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        everyone = children(master.pid)
        stop(master)
        self.assertEqual(master.returncode, 0)
        deadline = time.time() + 10
        while time.time() < deadline and any(alive(k) for k in everyone):
            time.sleep(0.05)
        self.assertFalse([k for k in everyone if alive(k)], "SIGTERM to the master stops all its children")
        self.assertFalse(os.path.exists(options["pidfile"]))



class Routing(unittest.TestCase):
    """dbfilter, list_db and proxy_mode, as odoo/http.py applies them."""

    @classmethod
    def setUpClass(cls):
        clone("alpha")
        clone("beta")
        # Odoo lists the databases its role owns; the clones are owned by 'standin'.
        cls.conf, options = write_config("routing", dbfilter="^%d$", db_name=None, proxy_mode="True")
        cls.port = options["http_port"]
        cls.proc = start(cls.conf, cls.port)

    @classmethod
    def tearDownClass(cls):
        stop(cls.proc)

    def page(self, headers):
        status, _, body = get(self.port, "/web/login", headers)
        match = re.search(rb'data-db="([^"]*)" data-url-root="([^"]*)"', body)
        return status, match and (match.group(1).decode(), match.group(2).decode())

    def test_dbfilter_picks_the_database_from_the_host(self):
        self.assertEqual(self.page({"Host": "alpha.example.com"})[1][0], "alpha")
        self.assertEqual(self.page({"Host": "www.beta.example.com:8069"})[1][0], "beta")
        status, headers, _ = get(self.port, "/web/login", {"Host": "gamma.example.com"})
        self.assertEqual((status, headers["Location"]), (303, "/web/database/selector"))

    def test_proxy_headers_only_count_with_x_forwarded_host(self):
        self.assertEqual(self.page({"Host": "127.0.0.1", "X-Forwarded-Host": "alpha.example.com",
                                    "X-Forwarded-Proto": "https"})[1], ("alpha", "https://alpha.example.com/"))
        self.assertEqual(self.page({"Host": "beta.example.com", "X-Forwarded-Proto": "https"})[1],
                         ("beta", "http://beta.example.com/"))
        answer, _ = rpc(self.port, "/web/session/authenticate", {"db": "alpha", "login": "admin", "password": "admin"},
                        {"Host": "127.0.0.1", "X-Forwarded-Host": "alpha.example.com", "X-Forwarded-Proto": "https"})
        self.assertEqual(answer["result"]["uid"], 2)
        # An administrator's login teaches Odoo its public URL.
        self.assertEqual(query("alpha", "SELECT value FROM ir_config_parameter WHERE key = 'web.base.url'"),
                         [("https://alpha.example.com",)])

    def test_database_manager_disabled_by_list_db(self):
        status, _, body = get(self.port, "/web/database/manager", {"Host": "alpha.example.com"})
        self.assertEqual(status, 200)
        self.assertIn(b"The database manager has been disabled by the administrator", body)
        status, _, body = request(self.port, "POST", "/web/database/drop", "master_pwd=master-pw&name=alpha",
                                  {"Host": "alpha.example.com", "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 200)
        self.assertIn(b"Database deletion error: Access Denied", body)
        answer, _ = rpc(self.port, "/web/database/list", {}, {"Host": "alpha.example.com"})
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessDenied")
        self.assertEqual(query("alpha", "SELECT 1"), [(1,)], "nothing was dropped")
