"""Process layout: threaded (workers = 0) or prefork HTTP workers plus a gevent process."""
import http.server
import os
import signal
import sys
import time

from . import web


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler, logfile):
        self.logfile = logfile
        super().__init__(address, handler)

    def log(self, line):
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        text = f"{stamp} {os.getpid()} INFO ? werkzeug: {line}\n"
        if self.logfile:
            with open(self.logfile, "a", encoding="utf-8") as f:
                f.write(text)
        else:
            sys.stderr.write(text)


def _address(config, port):
    return (config.get("http_interface") or "0.0.0.0", int(port))


def _serve(server):
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    server.serve_forever()


def run(config):
    if config.get("pidfile"):
        with open(config["pidfile"], "w", encoding="utf-8") as f:
            f.write(str(os.getpid()))
    logfile = config.get("logfile") or None
    workers = config.int("workers")
    if workers == 0:
        server = Server(_address(config, config["http_port"]), web.handler_for(config, "http"), logfile)
        server.log(f"HTTP service (werkzeug) running on {server.server_address[0]}:{server.server_address[1]}")
        _serve(server)
        return
    http_server = Server(_address(config, config["http_port"]), web.handler_for(config, "http"), logfile)
    gevent_server = Server(_address(config, config["gevent_port"]), web.handler_for(config, "gevent"), logfile)
    children = {}

    def spawn(kind):
        pid = os.fork()
        if pid == 0:
            if kind == "gevent":
                http_server.server_close()
                _serve(gevent_server)
            else:
                gevent_server.server_close()
                _serve(http_server)
            os._exit(0)
        children[pid] = kind

    def stop(*_):
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(workers):
        spawn("http")
    spawn("gevent")
    http_server.log(f"HTTP service (werkzeug) running on port {config['http_port']} with {workers} workers; "
                    f"evented service on port {config['gevent_port']}")
    while True:
        pid, _ = os.wait()
        kind = children.pop(pid, None)
        if kind:
            http_server.log(f"Worker ({pid}) of kind {kind} exited; spawning another")
            spawn(kind)
