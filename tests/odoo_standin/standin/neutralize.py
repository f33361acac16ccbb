"""`odoo-bin neutralize`: what Odoo 18's data/neutralize.sql files do, per installed module.

Real Odoo runs one SQL file per installed module (base, mail, web here; payment providers,
IAP, OAuth, calendar sync … in modules the stand-in does not have). Two details matter to
whoever checks a neutralized copy, and are kept on purpose:
  * base does not leave the copy without an active mail server: it deactivates them all, then
    adds an *active* one named 'neutralization - disable emails' pointing at host 'invalid',
    so that Odoo never falls back to the smtp_server of its config file;
  * database.is_neutralized is inserted as a SQL boolean into a text column, so PostgreSQL
    stores the string 'true' (lower case), not 'True'.
"""
import logging

from . import pg

_logger = logging.getLogger("odoo.modules.neutralize")

QUERIES = {
    "base": [
        "UPDATE ir_mail_server SET active = false",
        "INSERT INTO ir_mail_server (name, smtp_port, smtp_host, smtp_encryption, active, smtp_authentication) "
        "VALUES ('neutralization - disable emails', 1025, 'invalid', 'none', true, 'login')",
        "UPDATE ir_cron SET active = false WHERE id NOT IN (SELECT res_id FROM ir_model_data "
        "WHERE model = 'ir.cron' AND module = 'base' AND name = 'autovacuum_job')",
        "INSERT INTO ir_config_parameter (key, value) VALUES ('database.is_neutralized', true) "
        "ON CONFLICT (key) DO UPDATE SET value = true",
        "UPDATE ir_act_server SET webhook_url = 'neutralization - disable webhook' WHERE state = 'webhook'",
    ],
    "mail": [
        "UPDATE mail_template SET mail_server_id = NULL",
        "UPDATE fetchmail_server SET active = false",
        "DELETE FROM ir_config_parameter WHERE key IN ('mail.web_push_vapid_private_key', "
        "'mail.web_push_vapid_public_key', 'mail.sfu_server_key')",
        "TRUNCATE mail_push",
        "TRUNCATE mail_push_device CASCADE",
    ],
    "web": [
        "UPDATE ir_ui_view SET active = true WHERE key = 'web.neutralize_banner'",
    ],
}


def queries(cur):
    modules = pg.installed_modules(cur, ("installed", "to upgrade", "to remove"))
    return [q for module in modules for q in QUERIES.get(module, [])]


def neutralize_database(cur):
    for query in queries(cur):
        cur.execute(query)
    _logger.info("Neutralization finished")


def command(config, opt):
    """Runs neutralize for config['db_name']; the exit code, like odoo/cli/neutralize.py."""
    db = config.get("db_name")
    if not db:
        _logger.error('Neutralize command needs a database name. Use "-d" argument')
        return 1
    if not opt.to_stdout:
        _logger.info("Starting %s database neutralization", db)
    try:
        with pg.cursor(config, db) as cur:
            if opt.to_stdout:
                print("BEGIN;")
                for query in queries(cur):
                    print(query.rstrip(";") + ";")
                print("COMMIT;")
            else:
                neutralize_database(cur)
    except Exception:
        _logger.critical("An error occurred during the neutralization. THE DATABASE IS NOT NEUTRALIZED!")
        return 1
    return 0
