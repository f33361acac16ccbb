"""Self-test of the stand-in's command line: init/update, passwords, neutralize, `db`.
Run through selftest.sh, which provides PostgreSQL. Each test names the Odoo behaviour it pins."""
import json
import os
import sys
import time
import unittest
import zipfile

from selftest_support import (SOCK, TMP, clone, ensure_template, get, odoo, pbkdf2_sha512, query, start, stop,
                              write_config)


def setUpModule():
    ensure_template()


class Init(unittest.TestCase):
    def test_init_creates_odoo_tables_users_modules_and_parameters(self):
        self.assertEqual(query("tpl", "SELECT id, login, active FROM res_users ORDER BY id"),
                         [(1, "__system__", False), (2, "admin", True)])
        states = dict(query("tpl", "SELECT name, state FROM ir_module_module"))
        for module in ("base", "web", "mail", "analytic", "project", "hr", "hr_timesheet", "account"):
            self.assertEqual(states[module], "installed", module)
        self.assertEqual(states["contacts"], "uninstalled")
        self.assertEqual(query("tpl", "SELECT latest_version FROM ir_module_module WHERE name = 'base'"), [("18.0.1.3",)])
        params = dict(query("tpl", "SELECT key, value FROM ir_config_parameter"))
        for key in ("database.uuid", "database.secret", "database.create_date", "web.base.url"):
            self.assertIn(key, params)
        self.assertTrue(params["web.base.url"].startswith("http://localhost:"))
        self.assertEqual(query("tpl", "SELECT cron_name FROM ir_cron c JOIN ir_model_data d ON d.res_id = c.id AND "
                                      "d.model = 'ir.cron' WHERE d.module = 'base' AND d.name = 'autovacuum_job'"),
                         [("Base: Auto-vacuum internal data",)])
        self.assertEqual(query("tpl", "SELECT count(*) FROM ir_cron WHERE cron_name = 'Mail: Email Queue Manager' "
                                      "AND active"), [(1,)])
        self.assertEqual(query("tpl", "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"), [(1,)])

    def test_cloning_a_template_is_faster_than_installing(self):
        began = time.time()
        clone("speed")
        self.assertLess(time.time() - began, ensure_template() / 2)

    def test_update_hashes_plaintext_passwords_set_with_sql(self):
        clone("plain")
        query("plain", "UPDATE res_users SET password = 'typed-in-sql' WHERE login = 'admin'")
        conf, _ = write_config("plain", db_name="plain")
        odoo("-c", conf, "-d", "plain", "-u", "base", "--stop-after-init")
        stored = query("plain", "SELECT password FROM res_users WHERE login = 'admin'")[0][0]
        self.assertTrue(stored.startswith("$pbkdf2-sha512$"), stored)
        self.assertTrue(pbkdf2_sha512.verify("typed-in-sql", stored))

    def test_unknown_modules_are_ignored_with_odoo_warning(self):
        clone("unknown")
        conf, options = write_config("unknown", db_name="unknown")
        odoo("-c", conf, "-i", "no_such_module", "--stop-after-init")
        with open(options["logfile"]) as f:
            self.assertIn("invalid module names, ignored: no_such_module", f.read())

    def test_postgres_user_is_refused(self):
        conf, _ = write_config("pgsuper", db_user="postgres")
        result = odoo("-c", conf, "--stop-after-init", check=False)
        self.assertEqual(result.returncode, 1)
        self.assertTrue(result.stderr.decode().endswith("Using the database user 'postgres' is a security risk, aborting."))

    def test_unix_socket_db_host_and_demo_data(self):
        conf, _ = write_config("socket", db_host=SOCK, without_demo=None)
        odoo("-c", conf, "-d", "viasocket", "-i", "base", "--stop-after-init")
        self.assertEqual(query("viasocket", "SELECT demo FROM ir_module_module WHERE name = 'base'"), [(True,)])
        self.assertGreater(query("viasocket", "SELECT count(*) FROM res_partner")[0][0], 3)



class Passwords(unittest.TestCase):
    def test_hashes_are_passlib_compatible_both_ways(self):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from standin import passwords
        made = passwords.hash_password("s3cret")
        self.assertTrue(pbkdf2_sha512.verify("s3cret", made))
        self.assertFalse(pbkdf2_sha512.verify("wrong", made))
        theirs = pbkdf2_sha512.using(rounds=600000).hash("Ballast+/=pw")
        self.assertTrue(passwords.verify("Ballast+/=pw", theirs))
        self.assertFalse(passwords.verify("Ballast+/=pX", theirs))
        self.assertEqual(len(made.split("$")[3]), 22)  # 16-byte salt, ab64 without padding
        self.assertEqual(len(made.split("$")[4]), 86)  # 64-byte checksum



class Neutralize(unittest.TestCase):
    def test_neutralize_like_odoo_18(self):
        clone("neut")
        query("neut", "INSERT INTO ir_mail_server (name, smtp_host) VALUES ('Customer SMTP', 'smtp.example.com')")
        query("neut", "INSERT INTO fetchmail_server (name, server) VALUES ('Support inbox', 'imap.example.com')")
        conf, options = write_config("neut", db_name="neut", dbfilter="^neut$")
        printed = odoo("neutralize", "-c", conf, "-d", "neut", "--stdout").stdout.decode()
        self.assertTrue(printed.startswith("BEGIN;") and printed.rstrip().endswith("COMMIT;"), printed)
        self.assertEqual(query("neut", "SELECT count(*) FROM ir_config_parameter WHERE key = 'database.is_neutralized'"),
                         [(0,)], "--stdout only prints")
        odoo("neutralize", "-c", conf, "-d", "neut")
        self.assertEqual(query("neut", "SELECT value FROM ir_config_parameter WHERE key = 'database.is_neutralized'"),
                         [("true",)])
        self.assertEqual(query("neut", "SELECT cron_name FROM ir_cron WHERE active"),
                         [("Base: Auto-vacuum internal data",)])
        self.assertEqual(query("neut", "SELECT name, smtp_host FROM ir_mail_server WHERE active"),
                         [("neutralization - disable emails", "invalid")])
        self.assertEqual(query("neut", "SELECT count(*) FROM fetchmail_server WHERE active"), [(0,)])
        proc = start(conf, options["http_port"])
        try:
            self.assertIn(b"Database neutralized for testing", get(options["http_port"], "/web/login")[2])
        finally:
            stop(proc)



class DbCommands(unittest.TestCase):
    """`odoo-bin db`: Odoo's backup zip, load, duplicate, drop, all file-store aware."""

    def test_dump_load_duplicate_drop(self):
        clone("orig")
        # No db_name: with db_name and no dbfilter, Odoo's list_dbs() answers db_name alone, and
        # `db drop` (or `load --force`) then silently skips any other database.
        conf, options = write_config("dbcmd", db_name=None)
        store = os.path.join(options["data_dir"], "filestore")
        os.makedirs(os.path.join(store, "orig", "ab"))
        with open(os.path.join(store, "orig", "ab", "abcdef"), "wb") as f:
            f.write(b"file")
        dump = os.path.join(TMP, "orig.zip")
        odoo("db", "-c", conf, "dump", "orig", dump)
        with zipfile.ZipFile(dump) as z:
            names = z.namelist()
            manifest = json.loads(z.read("manifest.json"))
            sql = z.read("dump.sql").decode()
        self.assertEqual(names[0], "dump.sql")
        self.assertIn("filestore/ab/abcdef", names)
        self.assertEqual((manifest["odoo_dump"], manifest["db_name"], manifest["version"], manifest["major_version"],
                          manifest["pg_version"]), ("1", "orig", "18.0", "18.0", "15.0"))
        self.assertEqual(manifest["version_info"], [18, 0, 0, "final", 0, ""])
        self.assertEqual(manifest["modules"]["base"], "18.0.1.3")
        self.assertNotIn("OWNER TO", sql)
        odoo("db", "-c", conf, "load", "restored", dump)
        uuid = lambda db: query(db, "SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'")[0][0]
        self.assertNotEqual(uuid("restored"), uuid("orig"))
        self.assertTrue(os.path.isfile(os.path.join(store, "restored", "ab", "abcdef")))
        again = odoo("db", "-c", conf, "load", "restored", dump, check=False)
        self.assertEqual(again.returncode, 1)
        self.assertIn("Target database restored exists, aborting.", again.stderr.decode())
        odoo("db", "-c", conf, "load", "--force", "restored", dump)
        odoo("db", "-c", conf, "duplicate", "--neutralize", "orig", "copy")
        self.assertNotEqual(uuid("copy"), uuid("orig"))
        self.assertTrue(os.path.isfile(os.path.join(store, "copy", "ab", "abcdef")))
        self.assertEqual(query("copy", "SELECT value FROM ir_config_parameter WHERE key = 'database.is_neutralized'"),
                         [("true",)])
        odoo("db", "-c", conf, "drop", "copy")
        self.assertFalse(os.path.exists(os.path.join(store, "copy")))
        self.assertEqual(query("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'copy'"), [(0,)])
        missing = odoo("db", "-c", conf, "drop", "copy", check=False)
        self.assertEqual((missing.returncode, missing.stderr.decode().strip().splitlines()[-1]),
                         (1, "Database copy does not exist."))

    def test_failing_module_hook_leaves_modules_to_upgrade(self):
        clone("failing")
        conf, _ = write_config("failing", db_name="failing")
        result = odoo("-c", conf, "-u", "failing_demo", "--stop-after-init", check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn("module failing_demo: ParseError while loading data", result.stderr.decode())
        self.assertEqual(query("failing", "SELECT state FROM ir_module_module WHERE name = 'base'"), [("to upgrade",)])
