"""Odoo 18's configuration: the INI file and the odoo-bin options, merged the way Odoo merges them.

Options carry Odoo's own flags, destinations and defaults so that a command line or a config
file written for the stand-in works unchanged with real odoo-bin (and the other way round).
Options Odoo has but the stand-in does not act on are still accepted when Ballast could pass
them; anything else is refused, as optparse refuses it in Odoo.
"""
import configparser
import logging
import optparse
import os
import sys
import threading

# (flags, dest, default, kind): kind is "str", "int", "true" (store_true), "false"
# (store_false) or "append". The default applies when neither the file nor the flag sets it.
OPTIONS = [
    (("-c", "--config"), "config", None, "str"),
    (("-s", "--save"), "save", False, "true"),
    (("-i", "--init"), "init", None, "str"),
    (("-u", "--update"), "update", None, "str"),
    (("--without-demo",), "without_demo", False, "str"),
    (("--pidfile",), "pidfile", False, "str"),
    (("--addons-path",), "addons_path", None, "str"),
    (("--upgrade-path",), "upgrade_path", None, "str"),
    (("--load",), "server_wide_modules", "base,web", "str"),
    (("-D", "--data-dir"), "data_dir", None, "str"),
    (("--http-interface",), "http_interface", "", "str"),
    (("-p", "--http-port"), "http_port", 8069, "int"),
    (("--gevent-port",), "gevent_port", 8072, "int"),
    (("--no-http",), "http_enable", True, "false"),
    (("--proxy-mode",), "proxy_mode", False, "true"),
    (("--db-filter",), "dbfilter", "", "str"),
    (("--logfile",), "logfile", False, "str"),
    (("--log-level",), "log_level", "info", "str"),
    (("--log-handler",), "log_handler", None, "append"),
    (("--smtp",), "smtp_server", "localhost", "str"),
    (("--smtp-port",), "smtp_port", 25, "int"),
    (("--email-from",), "email_from", False, "str"),
    (("-d", "--database"), "db_name", False, "str"),
    (("-r", "--db_user"), "db_user", False, "str"),
    (("-w", "--db_password"), "db_password", False, "str"),
    (("--pg_path",), "pg_path", None, "str"),
    (("--db_host",), "db_host", False, "str"),
    (("--db_port",), "db_port", False, "int"),
    (("--db_sslmode",), "db_sslmode", "prefer", "str"),
    (("--db_maxconn",), "db_maxconn", 64, "int"),
    (("--db-template",), "db_template", "template0", "str"),
    (("--no-database-list",), "list_db", True, "false"),
    (("--dev",), "dev_mode", None, "str"),
    (("--stop-after-init",), "stop_after_init", False, "true"),
    (("--max-cron-threads",), "max_cron_threads", 2, "int"),
    (("--unaccent",), "unaccent", False, "true"),
    (("--workers",), "workers", 0, "int"),
    (("--limit-memory-soft",), "limit_memory_soft", 2048 * 1024 * 1024, "int"),
    (("--limit-memory-hard",), "limit_memory_hard", 2560 * 1024 * 1024, "int"),
    (("--limit-time-cpu",), "limit_time_cpu", 60, "int"),
    (("--limit-time-real",), "limit_time_real", 120, "int"),
    (("--limit-time-real-cron",), "limit_time_real_cron", -1, "int"),
    (("--limit-request",), "limit_request", 2 ** 16, "int"),
]
INT_KEYS = {dest for _, dest, _, kind in OPTIONS if kind == "int"}
# Keys only the file sets; admin_passwd's default is what makes Odoo's manager "insecure".
FILE_DEFAULTS = {"admin_passwd": "admin"}


class Config(dict):
    """Odoo's merged options, with the two paths Odoo derives from data_dir."""

    def filestore(self, db):
        return os.path.join(self["data_dir"], "filestore", db)

    @property
    def session_dir(self):
        path = os.path.join(self["data_dir"], "sessions")
        os.makedirs(path, mode=0o700, exist_ok=True)
        return path

    def modules_list(self, key):
        return [m.strip() for m in (self.get(key) or "").split(",") if m.strip()]


def _default_data_dir():
    # Odoo asks appdirs for the user data dir, or the site one when home is not writable.
    home = os.path.expanduser("~")
    if os.access(home, os.W_OK):
        return os.path.join(home, ".local", "share", "Odoo")
    return "/usr/share/Odoo"


def make_parser(prog):
    parser = optparse.OptionParser(prog=prog, version="Odoo Server 18.0 (stand-in)")
    for flags, dest, _, kind in OPTIONS:
        if kind == "true":
            parser.add_option(*flags, dest=dest, action="store_true", default=None)
        elif kind == "false":
            parser.add_option(*flags, dest=dest, action="store_false", default=None)
        elif kind == "append":
            parser.add_option(*flags, dest=dest, action="append", default=None)
        else:
            parser.add_option(*flags, dest=dest, type="int" if kind == "int" else "string", default=None)
    return parser


def _file_value(value):
    # Odoo turns only these exact spellings into booleans; everything else stays a string.
    if value in ("True", "true"):
        return True
    if value in ("False", "false"):
        return False
    return value


def parse(args, prog="odoo-bin", parser=None):
    """Returns (Config, optparse values) like odoo.tools.config.parse_config."""
    parser = parser or make_parser(prog)
    opt, rest = parser.parse_args(args)
    if rest:
        parser.error("unrecognized parameters: '%s'" % " ".join(rest))
    if opt.config and not opt.save and not os.access(opt.config, os.R_OK):
        parser.error("The config file '%s' selected with -c/--config doesn't exist or is not "
                     "readable, use -s/--save if you want to generate it" % opt.config)
    config = Config({dest: default for _, dest, default, _ in OPTIONS})
    config.update(FILE_DEFAULTS)
    config["data_dir"] = _default_data_dir()
    rcfile = opt.config or os.environ.get("ODOO_RC") or os.path.expanduser("~/.odoorc")
    config["config"] = os.path.abspath(rcfile)
    file_parser = configparser.RawConfigParser()
    try:
        file_parser.read([rcfile])
        for name, value in file_parser.items("options"):
            config[name] = _file_value(value)
    except configparser.NoSectionError:
        pass
    for key in ("logfile", "pidfile"):
        if config.get(key) in ("None", "False", ""):
            config[key] = False
    if config.get("server_wide_modules") in ("", "None", False):
        config["server_wide_modules"] = "base,web"
    for _, dest, _, _ in OPTIONS:
        value = getattr(opt, dest, None)
        if value is not None and dest not in ("config", "init", "update"):
            config[dest] = value
    for key in INT_KEYS:
        if isinstance(config.get(key), str) and config[key].strip():
            try:
                config[key] = int(config[key])
            except ValueError:
                parser.error(f"option {key}: invalid integer value: {config[key]!r}")
    if "," in str(config.get("db_name") or "") and (opt.init or opt.update):
        parser.error("Cannot use -i/--init or -u/--update with multiple databases in the "
                     "-d/--database/db_name")
    for key in ("data_dir", "logfile", "pidfile", "pg_path"):
        if config.get(key):
            config[key] = os.path.abspath(os.path.expanduser(config[key]))
    config["init"] = [m for m in (opt.init or "").split(",") if m]
    config["update"] = [m for m in (opt.update or "").split(",") if m]
    return config, opt


def setup_logging(config):
    """Odoo's log line format, to the logfile when one is configured, else stderr."""
    level = {"debug": logging.DEBUG, "warn": logging.WARNING, "error": logging.ERROR,
             "critical": logging.CRITICAL}.get(str(config.get("log_level")), logging.INFO)
    if config.get("logfile"):
        os.makedirs(os.path.dirname(config["logfile"]) or ".", exist_ok=True)
        handler = logging.FileHandler(config["logfile"])
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter("%(asctime)s %(process)d %(levelname)s %(dbname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)


class _Formatter(logging.Formatter):
    def format(self, record):
        # Odoo prints the database a line concerns, or '?' outside any database.
        record.dbname = getattr(record, "dbname", None) or getattr(DB_CONTEXT, "db", None) or "?"
        return super().format(record)


DB_CONTEXT = threading.local()  # the database the current thread works on, for log lines

