"""The modules the stand-in knows and the tables each one creates.

Module names, versions, dependencies and auto_install flags are those of the Odoo 18.0
manifests, so that `-i hr_timesheet,account` leaves the same ir_module_module rows (and the
same backup manifest) as real Odoo. Tables keep Odoo's table and column names for the columns
Ballast reads or writes with SQL; everything else Odoo has is left out. Translatable fields are
jsonb ({"en_US": ...}) as in Odoo 17+, because SQL written against real Odoo must work here.
"""

# name: (manifest version, depends, auto_install)
MODULES = {
    "base": ("1.3", [], True),
    "web": ("1.0", ["base"], True),
    "base_setup": ("1.0", ["base", "web"], True),
    "bus": ("1.0", ["base", "web"], True),
    "web_tour": ("1.0", ["web"], True),
    "html_editor": ("1.0", ["base", "bus", "web"], True),
    "web_editor": ("1.0", ["bus", "web", "html_editor"], True),
    "mail": ("1.18", ["base", "base_setup", "bus", "web_tour", "html_editor"], False),
    "auth_signup": ("1.0", ["base_setup", "mail", "web"], True),
    "http_routing": ("1.0", ["web"], False),
    "portal": ("1.0", ["web", "web_editor", "http_routing", "mail", "auth_signup"], False),
    "resource": ("1.1", ["base", "web"], False),
    "resource_mail": ("1.0", ["resource", "mail"], True),
    "digest": ("1.1", ["mail", "portal", "resource"], False),
    "phone_validation": ("2.1", ["base", "mail"], True),
    "uom": ("1.0", ["base"], False),
    "analytic": ("1.1", ["base", "mail", "uom"], False),
    "rating": ("1.1", ["mail"], False),
    "project": ("1.3", ["analytic", "base_setup", "mail", "portal", "rating", "resource", "web",
                        "web_tour", "digest"], False),
    "hr": ("1.1", ["base_setup", "digest", "phone_validation", "resource_mail", "web"], False),
    "hr_hourly_cost": ("1.0", ["hr"], False),
    "hr_timesheet": ("1.0", ["hr", "hr_hourly_cost", "analytic", "project", "uom"], False),
    "onboarding": ("1.2", ["web"], False),
    "product": ("1.2", ["base", "mail", "uom"], False),
    "account": ("1.3", ["base_setup", "onboarding", "product", "analytic", "portal", "digest"], False),
    "contacts": ("1.0", ["base", "mail"], False),
}

_STAMPS = ("create_uid integer, create_date timestamp DEFAULT (now() at time zone 'UTC'), "
           "write_uid integer, write_date timestamp DEFAULT (now() at time zone 'UTC')")

DDL = {
    "base": f"""
CREATE TABLE IF NOT EXISTS ir_module_module (id serial PRIMARY KEY, name varchar NOT NULL UNIQUE,
    state varchar(16), latest_version varchar, auto_install boolean DEFAULT false,
    demo boolean DEFAULT false, {_STAMPS});
CREATE TABLE IF NOT EXISTS ir_model_data (id serial PRIMARY KEY, module varchar NOT NULL,
    name varchar NOT NULL, model varchar NOT NULL, res_id integer, noupdate boolean DEFAULT false,
    UNIQUE (module, name));
CREATE TABLE IF NOT EXISTS ir_config_parameter (id serial PRIMARY KEY, key varchar NOT NULL UNIQUE,
    value text NOT NULL, {_STAMPS});
CREATE TABLE IF NOT EXISTS res_partner (id serial PRIMARY KEY, name varchar, email varchar,
    phone varchar, is_company boolean DEFAULT false, active boolean DEFAULT true,
    company_id integer, {_STAMPS});
CREATE TABLE IF NOT EXISTS res_company (id serial PRIMARY KEY, name varchar NOT NULL,
    partner_id integer NOT NULL REFERENCES res_partner(id), {_STAMPS});
CREATE TABLE IF NOT EXISTS res_users (id serial PRIMARY KEY, login varchar NOT NULL UNIQUE,
    password varchar, active boolean DEFAULT true,
    partner_id integer NOT NULL REFERENCES res_partner(id) ON DELETE RESTRICT,
    company_id integer NOT NULL REFERENCES res_company(id), share boolean DEFAULT false, {_STAMPS});
CREATE TABLE IF NOT EXISTS res_groups (id serial PRIMARY KEY, name jsonb NOT NULL, {_STAMPS});
CREATE TABLE IF NOT EXISTS res_groups_users_rel (gid integer NOT NULL REFERENCES res_groups(id)
    ON DELETE CASCADE, uid integer NOT NULL REFERENCES res_users(id) ON DELETE CASCADE,
    PRIMARY KEY (gid, uid));
CREATE TABLE IF NOT EXISTS ir_act_server (id serial PRIMARY KEY, name jsonb NOT NULL,
    type varchar DEFAULT 'ir.actions.server', state varchar DEFAULT 'code', model_name varchar,
    code text, webhook_url varchar, {_STAMPS});
CREATE TABLE IF NOT EXISTS ir_cron (id serial PRIMARY KEY, ir_actions_server_id integer NOT NULL
    REFERENCES ir_act_server(id) ON DELETE RESTRICT, cron_name varchar, user_id integer NOT NULL,
    active boolean DEFAULT true, interval_number integer DEFAULT 1,
    interval_type varchar DEFAULT 'months', nextcall timestamp NOT NULL, lastcall timestamp,
    priority integer DEFAULT 5, failure_count integer DEFAULT 0, {_STAMPS});
CREATE TABLE IF NOT EXISTS ir_mail_server (id serial PRIMARY KEY, name varchar NOT NULL,
    from_filter varchar, smtp_host varchar, smtp_port integer DEFAULT 25,
    smtp_authentication varchar DEFAULT 'login', smtp_user varchar, smtp_pass varchar,
    smtp_encryption varchar DEFAULT 'none', smtp_debug boolean DEFAULT false,
    sequence integer DEFAULT 10, active boolean DEFAULT true, {_STAMPS});
CREATE TABLE IF NOT EXISTS ir_attachment (id serial PRIMARY KEY, name varchar NOT NULL,
    description text, res_model varchar, res_field varchar, res_id integer, company_id integer,
    type varchar NOT NULL DEFAULT 'binary', url varchar, public boolean DEFAULT false,
    access_token varchar, db_datas bytea, store_fname varchar, file_size integer,
    checksum varchar(40), mimetype varchar, index_content text, {_STAMPS});
CREATE INDEX IF NOT EXISTS ir_attachment_res_idx ON ir_attachment (res_model, res_id);
CREATE INDEX IF NOT EXISTS ir_attachment_store_fname_idx ON ir_attachment (store_fname);
CREATE TABLE IF NOT EXISTS ir_ui_view (id serial PRIMARY KEY, name varchar NOT NULL, key varchar,
    type varchar DEFAULT 'qweb', inherit_id integer, active boolean DEFAULT true, {_STAMPS});
""",
    "mail": f"""
CREATE TABLE IF NOT EXISTS fetchmail_server (id serial PRIMARY KEY, name varchar NOT NULL,
    active boolean DEFAULT true, state varchar DEFAULT 'draft', server varchar, port integer,
    server_type varchar DEFAULT 'imap', is_ssl boolean DEFAULT false, {_STAMPS});
CREATE TABLE IF NOT EXISTS mail_template (id serial PRIMARY KEY, name jsonb, model varchar,
    mail_server_id integer REFERENCES ir_mail_server(id) ON DELETE SET NULL, {_STAMPS});
CREATE TABLE IF NOT EXISTS mail_mail (id serial PRIMARY KEY, subject varchar, body_html text,
    email_from varchar, email_to text, state varchar DEFAULT 'outgoing', failure_reason text,
    mail_server_id integer REFERENCES ir_mail_server(id) ON DELETE SET NULL, {_STAMPS});
CREATE TABLE IF NOT EXISTS mail_push_device (id serial PRIMARY KEY, partner_id integer NOT NULL,
    endpoint varchar NOT NULL, keys varchar NOT NULL, {_STAMPS});
CREATE TABLE IF NOT EXISTS mail_push (id serial PRIMARY KEY, mail_push_device_id integer NOT NULL
    REFERENCES mail_push_device(id) ON DELETE CASCADE, payload text, {_STAMPS});
""",
    "resource": f"""
CREATE TABLE IF NOT EXISTS resource_resource (id serial PRIMARY KEY, name varchar NOT NULL,
    user_id integer REFERENCES res_users(id), active boolean DEFAULT true, {_STAMPS});
""",
    "hr": f"""
CREATE TABLE IF NOT EXISTS hr_employee (id serial PRIMARY KEY, name varchar,
    resource_id integer REFERENCES resource_resource(id), user_id integer REFERENCES res_users(id),
    company_id integer NOT NULL, active boolean DEFAULT true, {_STAMPS});
""",
    "analytic": f"""
CREATE TABLE IF NOT EXISTS account_analytic_line (id serial PRIMARY KEY, name varchar NOT NULL,
    date date NOT NULL DEFAULT CURRENT_DATE, amount numeric NOT NULL DEFAULT 0,
    unit_amount numeric DEFAULT 0, user_id integer REFERENCES res_users(id),
    partner_id integer REFERENCES res_partner(id), company_id integer NOT NULL, {_STAMPS});
""",
    "project": f"""
CREATE TABLE IF NOT EXISTS project_project (id serial PRIMARY KEY, name jsonb NOT NULL,
    partner_id integer REFERENCES res_partner(id), company_id integer, active boolean DEFAULT true,
    sequence integer DEFAULT 10, allow_timesheets boolean DEFAULT true, {_STAMPS});
""",
    "hr_timesheet": """
ALTER TABLE account_analytic_line ADD COLUMN IF NOT EXISTS project_id integer REFERENCES project_project(id);
ALTER TABLE account_analytic_line ADD COLUMN IF NOT EXISTS task_id integer;
ALTER TABLE account_analytic_line ADD COLUMN IF NOT EXISTS employee_id integer REFERENCES hr_employee(id);
""",
    "account": f"""
ALTER TABLE res_partner ADD COLUMN IF NOT EXISTS autopost_bills varchar;
UPDATE res_partner SET autopost_bills = 'ask' WHERE autopost_bills IS NULL;
ALTER TABLE res_partner ALTER COLUMN autopost_bills SET NOT NULL;
CREATE TABLE IF NOT EXISTS account_journal (id serial PRIMARY KEY, name jsonb NOT NULL,
    code varchar(5) NOT NULL, type varchar NOT NULL, company_id integer NOT NULL,
    active boolean DEFAULT true, {_STAMPS});
CREATE TABLE IF NOT EXISTS account_move (id serial PRIMARY KEY, name varchar, ref varchar,
    state varchar NOT NULL DEFAULT 'draft', move_type varchar NOT NULL DEFAULT 'entry',
    journal_id integer NOT NULL REFERENCES account_journal(id),
    partner_id integer REFERENCES res_partner(id), date date NOT NULL,
    invoice_date date, amount_untaxed numeric, amount_total numeric,
    sequence_prefix varchar, sequence_number integer, company_id integer NOT NULL, {_STAMPS});
CREATE TABLE IF NOT EXISTS account_move_line (id serial PRIMARY KEY, move_id integer NOT NULL
    REFERENCES account_move(id) ON DELETE CASCADE, name varchar, display_type varchar DEFAULT 'product',
    quantity numeric DEFAULT 1, price_unit numeric DEFAULT 0, price_subtotal numeric,
    price_total numeric, {_STAMPS});
""",
}


def closure(names):
    """names plus everything they depend on, plus auto_install modules whose dependencies are
    all present (Odoo's rule), in an order where dependencies come first."""
    wanted = set()

    def add(name):
        if name in wanted:
            return
        for dep in MODULES[name][1]:
            add(dep)
        wanted.add(name)

    for name in names:
        add(name)
    changed = True
    while changed:
        changed = False
        for name, (_, deps, auto) in MODULES.items():
            if auto and name not in wanted and all(d in wanted for d in deps):
                add(name)
                changed = True
    ordered, seen = [], set()

    def visit(name):
        if name in seen:
            return
        seen.add(name)
        for dep in MODULES[name][1]:
            visit(dep)
        ordered.append(name)

    for name in sorted(wanted):
        visit(name)
    return ordered


def version(name):
    return "18.0." + MODULES[name][0]
