"""`odoo-bin db dump|load|duplicate|rename|drop`: odoo/cli/db.py and odoo/service/db.py.

Arguments, defaults, messages and exit codes follow Odoo 18, and so does the backup zip:
dump.sql first (plain `pg_dump --no-owner`), then manifest.json and filestore/, so that a
zip made here restores in real Odoo and the other way round.
"""
import argparse
import io
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

from . import neutralize, options, pg

_logger = logging.getLogger("odoo.service.db")
VERSION_INFO = [18, 0, 0, "final", 0, ""]


def _eprint(*args, **kwargs):
    print(*args, file=sys.stderr, flush=True, **kwargs)


def manifest(cur, db):
    cur.execute("SELECT name, latest_version FROM ir_module_module WHERE state = 'installed'")
    modules = dict(cur.fetchall())
    # Odoo divides server_version by 100 and formats both halves with %d: 150004 -> "15.0".
    major, minor = divmod(cur.connection.server_version / 100, 100)
    return {"odoo_dump": "1", "db_name": db, "version": "18.0", "version_info": VERSION_INFO,
            "major_version": "18.0", "pg_version": "%d.%d" % (major, minor), "modules": modules}


def dump_db(config, db, stream):
    _logger.info("DUMP DB: %s format %s", db, "zip")
    with tempfile.TemporaryDirectory() as work:
        store = config.filestore(db)
        if os.path.exists(store):
            shutil.copytree(store, os.path.join(work, "filestore"))
        with pg.cursor(config, db) as cur, open(os.path.join(work, "manifest.json"), "w") as fh:
            json.dump(manifest(cur, db), fh, indent=4)
        subprocess.run([pg.tool(config, "pg_dump"), "--no-owner", "--file=" + os.path.join(work, "dump.sql"), db],
                       env=pg.tool_env(config), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, check=True)
        names = []
        for root, _, files in os.walk(work):
            names += [os.path.relpath(os.path.join(root, f), work) for f in files]
        names.sort(key=lambda name: name != "dump.sql")  # dump.sql first, as Odoo writes it
        with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as z:
            for name in names:
                z.write(os.path.join(work, name), name)


def restore_db(config, db, dump_file, copy=False, neutralize_database=False):
    if pg.exists(config, db):
        _logger.warning("RESTORE DB: %s already exists", db)
        raise Exception("Database already exists")
    _logger.info("RESTORING DB: %s", db)
    pg.create_empty_database(config, db)
    with tempfile.TemporaryDirectory() as work:
        store = None
        if zipfile.is_zipfile(dump_file):
            with zipfile.ZipFile(dump_file) as z:
                # Only the members Odoo knows are extracted, never arbitrary paths.
                members = [m for m in z.namelist() if m.startswith("filestore/")]
                z.extractall(work, ["dump.sql"] + members)
                store = os.path.join(work, "filestore") if members else None
            command = [pg.tool(config, "psql"), "--dbname=" + db, "-q", "-f", os.path.join(work, "dump.sql")]
        else:
            command = [pg.tool(config, "pg_restore"), "--dbname=" + db, "--no-owner", dump_file]
        result = subprocess.run(command, env=pg.tool_env(config), stdout=subprocess.DEVNULL,
                                stderr=subprocess.STDOUT)
        if result.returncode != 0:
            raise Exception("Couldn't restore database")
        with pg.cursor(config, db) as cur:
            if copy:
                pg.init_parameters(config, cur, force=True)
            if neutralize_database:
                neutralize.neutralize_database(cur)
        if store:
            destination = config.filestore(db)
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            shutil.move(store, destination)
    _logger.info("RESTORE DB: %s", db)


def duplicate_db(config, source, target, neutralize_database=False):
    _logger.info("Duplicate database `%s` to `%s`.", source, target)
    conn = pg.connect(config, "postgres", autocommit=True)
    try:
        with conn.cursor() as cur:
            pg.terminate_other_connections(cur, source)
            cur.execute(f"CREATE DATABASE {pg.ident(conn, target)} ENCODING 'unicode' "
                        f"TEMPLATE {pg.ident(conn, source)}")
    finally:
        conn.close()
    with pg.cursor(config, target) as cur:
        pg.init_parameters(config, cur, force=True)  # a copy must not share the original's identity
        if neutralize_database:
            neutralize.neutralize_database(cur)
    from_fs, to_fs = config.filestore(source), config.filestore(target)
    if os.path.exists(from_fs) and not os.path.exists(to_fs):
        shutil.copytree(from_fs, to_fs)
    return True


def drop_db(config, db):
    if db not in pg.list_dbs(config, force=True):
        return False
    conn = pg.connect(config, "postgres", autocommit=True)
    try:
        with conn.cursor() as cur:
            pg.terminate_other_connections(cur, db)
            try:
                cur.execute(f"DROP DATABASE {pg.ident(conn, db)}")
            except Exception as error:
                _logger.info("DROP DB: %s failed:\n%s", db, error)
                raise Exception(f"Couldn't drop database {db}: {error}")
            _logger.info("DROP DB: %s", db)
    finally:
        conn.close()
    if os.path.exists(config.filestore(db)):
        shutil.rmtree(config.filestore(db))
    return True


def rename_db(config, old, new):
    conn = pg.connect(config, "postgres", autocommit=True)
    try:
        with conn.cursor() as cur:
            pg.terminate_other_connections(cur, old)
            cur.execute(f"ALTER DATABASE {pg.ident(conn, old)} RENAME TO {pg.ident(conn, new)}")
            _logger.info("RENAME DB: %s -> %s", old, new)
    finally:
        conn.close()
    old_fs, new_fs = config.filestore(old), config.filestore(new)
    if os.path.exists(old_fs) and not os.path.exists(new_fs):
        shutil.move(old_fs, new_fs)
    return True


def _parser():
    parser = argparse.ArgumentParser(prog=f"{Path(sys.argv[0]).name} db",
                                     description="Create, drop, dump, load databases")
    for flags in (("-c", "--config"), ("-D", "--data-dir"), ("--addons-path",), ("-r", "--db_user"),
                  ("-w", "--db_password"), ("--pg_path",), ("--db_host",), ("--db_port",), ("--db_sslmode",)):
        parser.add_argument(*flags)
    parser.set_defaults(func=None)
    subs = parser.add_subparsers()
    load = subs.add_parser("load", help="Load a dump file.")
    load.set_defaults(func="load")
    load.add_argument("-f", "--force", action="store_const", default=False, const=True)
    load.add_argument("-n", "--neutralize", action="store_const", default=False, const=True)
    load.add_argument("database", nargs="?")
    load.add_argument("dump_file")
    dump = subs.add_parser("dump", help="Create a dump with filestore.")
    dump.set_defaults(func="dump")
    dump.add_argument("database")
    dump.add_argument("dump_path", nargs="?", default="-")
    duplicate = subs.add_parser("duplicate", help="Duplicate a database including filestore.")
    duplicate.set_defaults(func="duplicate")
    duplicate.add_argument("-f", "--force", action="store_const", default=False, const=True)
    duplicate.add_argument("-n", "--neutralize", action="store_const", default=False, const=True)
    duplicate.add_argument("source")
    duplicate.add_argument("target")
    rename = subs.add_parser("rename", help="Rename a database including filestore.")
    rename.set_defaults(func="rename")
    rename.add_argument("-f", "--force", action="store_const", default=False, const=True)
    rename.add_argument("source")
    rename.add_argument("target")
    drop = subs.add_parser("drop", help="Delete a database including filestore")
    drop.set_defaults(func="drop")
    drop.add_argument("database")
    return parser


def _check_target(config, target, delete_if_exists):
    if pg.exists(config, target):
        if delete_if_exists:
            drop_db(config, target)
        else:
            sys.exit(f"Target database {target} exists, aborting.\n\n"
                     f"\tuse `--force` to delete the existing database anyway.")


def command(argv):
    parser = _parser()
    args = parser.parse_args(argv)
    if args.func is None:
        sys.exit(parser.format_help())
    flags = {"config": "--config", "data_dir": "--data-dir", "addons_path": "--addons-path"}
    forwarded = []
    for key, value in vars(args).items():
        if value is not None and (key in flags or key.startswith(("db_", "pg_"))):
            forwarded += [flags.get(key, f"--{key}"), value]
    config, _ = options.parse(forwarded, prog="odoo-bin db")
    options.setup_logging(config)
    config["list_db"] = True  # the command line is the database manager: never "disabled"
    _logger.info("Odoo version 18.0 (stand-in)")
    if args.func == "load":
        db = args.database or Path(args.dump_file).stem
        _check_target(config, db, args.force)
        source = args.dump_file
        if urllib.parse.urlparse(args.dump_file).scheme:
            _eprint(f"Fetching {args.dump_file}...", end="")
            with urllib.request.urlopen(args.dump_file, timeout=10) as response:
                source = io.BytesIO(response.read())
            _eprint(" done")
        else:
            _eprint(f"Restoring {args.dump_file}...")
        if not zipfile.is_zipfile(source):
            sys.exit("Not a zipped dump file, use `pg_restore` to restore raw dumps,"
                     " and `psql` to execute sql dumps or scripts.")
        restore_db(config, db, source, copy=True, neutralize_database=args.neutralize)
    elif args.func == "dump":
        if args.dump_path == "-":
            dump_db(config, args.database, sys.stdout.buffer)
        else:
            with open(args.dump_path, "wb") as f:
                dump_db(config, args.database, f)
    elif args.func == "duplicate":
        _check_target(config, args.target, args.force)
        duplicate_db(config, args.source, args.target, neutralize_database=args.neutralize)
    elif args.func == "rename":
        _check_target(config, args.target, args.force)
        rename_db(config, args.source, args.target)
    elif not drop_db(config, args.database):
        sys.exit(f"Database {args.database} does not exist.")
    return 0
