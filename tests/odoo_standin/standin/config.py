"""Odoo's INI configuration file, as the stand-in reads it."""
import configparser
import sys

DEFAULTS = {
    "db_host": "", "db_port": "5432", "db_user": "", "db_password": "", "db_name": "",
    "dbfilter": "", "list_db": "True", "admin_passwd": "admin", "proxy_mode": "False",
    "http_interface": "", "http_port": "8069", "gevent_port": "8072", "workers": "0",
    "max_cron_threads": "2", "data_dir": "", "addons_path": "", "server_wide_modules": "base,web",
    "without_demo": "False", "logfile": "", "pidfile": "", "smtp_server": "localhost",
    "smtp_port": "25",
}


class Config(dict):
    def flag(self, key):
        return str(self.get(key, "False")).strip().lower() in ("1", "true", "yes", "on")

    def int(self, key):
        return int(str(self.get(key) or "0"))


def load(path, overrides=None):
    parser = configparser.ConfigParser(interpolation=None)
    if path:
        with open(path, encoding="utf-8") as f:
            parser.read_file(f)
    config = Config(DEFAULTS)
    if parser.has_section("options"):
        for key, value in parser.items("options"):
            config[key] = value
    for key, value in (overrides or {}).items():
        if value is not None:
            config[key] = value
    if config.get("db_user") == "postgres":
        sys.stderr.write("Using the database user 'postgres' is a security risk, aborting.\n")
        sys.exit(1)
    return config
