"""Odoo's process layouts (odoo/service/server.py), which Ballast supervises and routes to:

* workers = 0: one process, a threaded HTTP server on http_port that also serves /websocket;
* workers > 0: a prefork master that owns the listening socket on http_port and forks
  `workers` HTTP workers (one request at a time each) and `max_cron_threads` cron workers, and
  starts `odoo-bin gevent` as a separate program listening on gevent_port for /websocket.

Children watch their parent and leave when it is gone, as Odoo's do, so a master killed with
SIGKILL does not leave processes holding the ports.
"""
import http.server
import logging
import os
import select
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time

from . import web, websocket
from .httpbase import Request, Response

_logger = logging.getLogger("odoo.service.server")
_http_log = logging.getLogger("werkzeug")


def handler_for(app, keep_alive=True, timeout=None):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"
        server_version = "Werkzeug/2.2.2"
        sys_version = "Python/3.11"

        def setup(self):
            if timeout:
                self.timeout = timeout
            super().setup()

        def log_message(self, fmt, *args):
            _http_log.info("%s - - [%s] %s", self.client_address[0], self.log_date_time_string(), fmt % args)

        def _body(self):
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                data = b""
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        self.rfile.readline()
                        return data
                    data += self.rfile.read(size)
                    self.rfile.readline()
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def handle_any(self):
            request = Request(self.command, self.path, dict(self.headers), self._body(), self.client_address[0])
            try:
                response = app.handle(request)
            except Exception:
                _logger.exception("Exception during request handling.")
                response = Response.error(500)
            self.send_response(response.status)
            for key, value in response.headers:
                self.send_header(key, value)
            if not response.upgrade:
                self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD" and not response.upgrade:
                self.wfile.write(response.body)
            self.wfile.flush()
            if response.upgrade:
                self.close_connection = True
                self.connection.settimeout(None)
                websocket.serve(self.rfile, self.wfile, lambda message: None)

        do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = handle_any

    return Handler


class ThreadedServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A client hanging up mid-request is not a server error (Odoo ignores EPIPE too).
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        _logger.exception("Exception happened during processing of request from %s", client_address)


def _address(config, port):
    return (config.get("http_interface") or "0.0.0.0", int(port))


def _watch_parent(parent, on_orphan):
    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        on_orphan()
    threading.Thread(target=watch, daemon=True).start()


def serve_threaded(config, role="threaded", port=None, watch_parent=False):
    port = port or config["http_port"]
    server = ThreadedServer(_address(config, port), handler_for(web.App(config, role)))
    label = "Evented Service (longpolling)" if role == "gevent" else "HTTP service (werkzeug)"
    _logger.info("%s running on %s:%s", label, *server.server_address[:2])

    def stop(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if watch_parent:
        _watch_parent(os.getppid(), lambda: os.kill(os.getpid(), signal.SIGTERM))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        _logger.info("Initiating shutdown")
    finally:
        server.server_close()
    return 0


def _stripped_argv():
    """The master's arguments minus those that only concern initialisation, for `odoo-bin gevent`."""
    args = sys.argv[1:]
    if args and args[0] == "server":
        args = args[1:]
    out, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("-i", "--init", "-u", "--update"):
            skip = True
        elif not arg.startswith(("-i", "-u", "-s", "--init=", "--update=", "--save")):
            out.append(arg)
    return out


class Prefork:
    def __init__(self, config):
        self.config = config
        self.http, self.cron, self.gevent = {}, {}, None
        self.queue, self.pid = [], os.getpid()
        self.wakeup_r, self.wakeup_w = os.pipe()

    def run(self):
        family = socket.AF_INET6 if ":" in (self.config.get("http_interface") or "") else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.setblocking(False)  # several workers wake up for one connection; one wins
        self.socket.bind(_address(self.config, self.config["http_port"]))
        self.socket.listen(8 * self.config["workers"])
        _logger.info("HTTP service (werkzeug) running on %s:%s", *self.socket.getsockname()[:2])
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
            signal.signal(sig, self.on_signal)
        while True:
            self.reap()
            if self.process_signals():
                return self.stop()
            self.spawn()
            try:
                if select.select([self.wakeup_r], [], [], 4)[0]:
                    os.read(self.wakeup_r, 512)
            except InterruptedError:
                pass

    def on_signal(self, sig, frame):
        self.queue.append(sig)
        os.write(self.wakeup_w, b".")

    def process_signals(self):
        """True when the master must stop; SIGHUP stops it too and then re-executes it, as
        Odoo's "phoenix" restart does."""
        while self.queue:
            sig = self.queue.pop(0)
            if sig in (signal.SIGINT, signal.SIGTERM):
                return True
            if sig == signal.SIGHUP:
                self.restart = True
                return True
        return False

    def reap(self):
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if not pid:
                return
            for registry, kind in ((self.http, "WorkerHTTP"), (self.cron, "WorkerCron")):
                if registry.pop(pid, None):
                    _logger.info("%s (%s) exited; a new one will be started", kind, pid)
            if self.gevent and pid == self.gevent.pid:
                _logger.info("Evented service (%s) exited; a new one will be started", pid)
                self.gevent = None

    def spawn(self):
        while len(self.http) < self.config["workers"]:
            self.fork(self.http, self.http_worker)
        if self.gevent is None:
            self.gevent = subprocess.Popen([sys.executable, os.path.abspath(sys.argv[0]), "gevent"] + _stripped_argv())
        while len(self.cron) < int(self.config.get("max_cron_threads") or 0):
            self.fork(self.cron, self.cron_worker)

    def fork(self, registry, body):
        pid = os.fork()
        if pid:
            registry[pid] = True
            return
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        os.close(self.wakeup_r)
        try:
            body()
        except BaseException:
            _logger.exception("Worker crashed")
        finally:
            os._exit(0)

    def http_worker(self):
        """Serves one connection at a time from the shared socket; leaves after limit_request
        requests (the master starts a fresh worker) or when the master is gone."""
        _logger.info("Worker WorkerHTTP (%s) alive", os.getpid())
        timeout = float(os.environ.get("ODOO_HTTP_SOCKET_TIMEOUT") or 2)
        handler = handler_for(web.App(self.config, "worker"), keep_alive=False, timeout=timeout)
        stopping = []
        signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
        served = 0
        while not stopping and os.getppid() == self.pid and served < self.config["limit_request"]:
            ready = select.select([self.socket], [], [], 1)[0]
            if not ready:
                continue
            try:
                client, address = self.socket.accept()
            except (BlockingIOError, InterruptedError):
                continue
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                handler(client, address, self)
            except OSError:
                pass
            finally:
                client.close()
            served += 1

    def cron_worker(self):
        # The stand-in runs no scheduled actions; the process exists because Ballast counts
        # and limits an Odoo tenant's processes.
        _logger.info("Worker WorkerCron (%s) alive", os.getpid())
        stopping = []
        signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
        while not stopping and os.getppid() == self.pid:
            time.sleep(1)

    def stop(self):
        _logger.info("Stopping gracefully")
        if self.gevent is not None:
            self.gevent.kill()  # Odoo kills the evented process outright, too
        self.socket.close()
        children = list(self.http) + list(self.cron)
        for pid in children:
            self._kill(pid, signal.SIGINT)
        limit = time.time() + min(int(self.config.get("limit_time_real") or 120), 10)
        while time.time() < limit and any(self._alive(pid) for pid in children):
            time.sleep(0.05)
        for pid in children:
            self._kill(pid, signal.SIGTERM)
        if self.gevent is not None:
            self.gevent.wait()
        if getattr(self, "restart", False):
            _logger.info("Restarting (SIGHUP)")
            os.execv(sys.executable, [sys.executable] + sys.argv)
        return 0

    @staticmethod
    def _kill(pid, sig):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass

    @staticmethod
    def _alive(pid):
        try:
            return os.waitpid(pid, os.WNOHANG)[0] == 0
        except ChildProcessError:
            return False
