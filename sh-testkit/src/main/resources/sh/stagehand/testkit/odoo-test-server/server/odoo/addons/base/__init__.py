"""Core addon `base` of the test server: the tables and records every Odoo database has, and the
models the test server implements (models/: mail servers, crons, server actions, parameters).

Table and column names are Odoo 17's, so SQL written for a real Odoo database (a platform's
neutralization or checks) runs here too. The loader calls `_test_server_data(env)` when base
is installed or updated and `_test_server_demo(env)` when it gets demo data; both only add
what is missing (records are named by external ids in ir_model_data, as Odoo's noupdate data).
"""

import datetime
import struct
import uuid
import zlib

from odoo.modules import db

from . import models

TABLES = """
CREATE TABLE IF NOT EXISTS res_partner (
    id serial PRIMARY KEY,
    create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'), write_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'),
    name varchar, complete_name varchar, email varchar, phone varchar, city varchar,
    is_company boolean DEFAULT false, active boolean DEFAULT true, company_id integer, parent_id integer
);
CREATE TABLE IF NOT EXISTS res_company (
    id serial PRIMARY KEY,
    create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'), write_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'),
    name varchar NOT NULL, partner_id integer NOT NULL REFERENCES res_partner, email varchar, active boolean DEFAULT true
);
CREATE TABLE IF NOT EXISTS res_users (
    id serial PRIMARY KEY,
    create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'), write_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'),
    login varchar NOT NULL CONSTRAINT res_users_login_key UNIQUE, password varchar,
    partner_id integer NOT NULL REFERENCES res_partner, company_id integer REFERENCES res_company,
    active boolean DEFAULT true
);
CREATE TABLE IF NOT EXISTS ir_config_parameter (
    id serial PRIMARY KEY,
    create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'), write_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'),
    key varchar NOT NULL CONSTRAINT ir_config_parameter_key_uniq UNIQUE, value text NOT NULL
);
CREATE TABLE IF NOT EXISTS ir_act_server (
    id serial PRIMARY KEY,
    name jsonb NOT NULL, type varchar NOT NULL DEFAULT 'ir.actions.server', usage varchar DEFAULT 'ir_cron',
    model_name varchar, state varchar DEFAULT 'code', code text, webhook_url varchar
);
ALTER TABLE ir_act_server ADD COLUMN IF NOT EXISTS webhook_url varchar;
CREATE TABLE IF NOT EXISTS ir_cron (
    id serial PRIMARY KEY,
    create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'), write_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'),
    ir_actions_server_id integer NOT NULL REFERENCES ir_act_server ON DELETE RESTRICT,
    cron_name varchar, user_id integer NOT NULL DEFAULT 1, active boolean DEFAULT true,
    interval_number integer DEFAULT 1, interval_type varchar DEFAULT 'months', numbercall integer DEFAULT -1,
    doall boolean DEFAULT false, nextcall timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    lastcall timestamp, priority integer DEFAULT 5
);
CREATE TABLE IF NOT EXISTS ir_cron_trigger (
    id serial PRIMARY KEY,
    create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'), write_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'),
    cron_id integer REFERENCES ir_cron ON DELETE CASCADE, call_at timestamp
);
CREATE INDEX IF NOT EXISTS ir_cron_trigger_call_at_index ON ir_cron_trigger (call_at);
CREATE TABLE IF NOT EXISTS ir_ui_view (
    id serial PRIMARY KEY,
    create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'), write_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'),
    name varchar NOT NULL, key varchar, type varchar, arch_db jsonb, inherit_id integer REFERENCES ir_ui_view ON DELETE RESTRICT,
    mode varchar NOT NULL DEFAULT 'primary', active boolean DEFAULT true, priority integer NOT NULL DEFAULT 16
);
CREATE TABLE IF NOT EXISTS ir_mail_server (
    id serial PRIMARY KEY,
    create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'), write_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'),
    name varchar NOT NULL, from_filter varchar, smtp_host varchar, smtp_port integer DEFAULT 25,
    smtp_authentication varchar DEFAULT 'login', smtp_user varchar, smtp_pass varchar,
    smtp_encryption varchar NOT NULL DEFAULT 'none', smtp_debug boolean DEFAULT false,
    sequence integer DEFAULT 10, active boolean DEFAULT true
);
CREATE TABLE IF NOT EXISTS ir_attachment (
    id serial PRIMARY KEY,
    create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'), write_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'),
    name varchar NOT NULL, description text, res_model varchar, res_field varchar, res_id integer,
    company_id integer, type varchar NOT NULL DEFAULT 'binary', url varchar(1024), public boolean,
    access_token varchar, db_datas bytea, store_fname varchar, file_size integer, checksum varchar(40),
    mimetype varchar, index_content text
);
CREATE INDEX IF NOT EXISTS ir_attachment_res_idx ON ir_attachment (res_model, res_id);
"""

# (external id, name, interval number, interval type, model, code); autovacuum is the one cron
# neutralization keeps. The other two stand for Odoo's many crons.
CRONS = [
    ('autovacuum_job', 'Base: Auto-vacuum internal data', 1, 'days', 'ir.autovacuum', 'model._run_vacuum_cleaner()'),
    ('ir_cron_res_users_deletion', 'Base: Portal Users Deletion', 1, 'days', 'res.users.deletion', 'model._gc_portal_users()'),
    ('ir_cron_attachment_gc', 'Base: Attachments garbage collection', 1, 'days', 'ir.attachment', 'model._gc_file_store()'),
]

DEMO_PARTNERS = [
    ('res_partner_1', 'Wood Corner', 'wood.corner26@example.com', 'Turlock'),
    ('res_partner_2', 'Deco Addict', 'deco.addict82@example.com', 'Pleasant Hill'),
    ('res_partner_3', 'Gemini Furniture', 'gemini.furniture39@example.com', 'Fairfield'),
    ('res_partner_4', 'Ready Mat', 'ready.mat28@example.com', 'Tracy'),
    ('res_partner_12', 'Azure Interior', 'azure.Interior24@example.com', 'Fremont'),
]


def _png(width, height, rgb):
    """A small solid-colour PNG (the company logo stored in the filestore)."""
    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
    rows = b''.join(b'\x00' + bytes(rgb) * width for _ in range(height))
    header = struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b'')


def set_param(cr, key, value):
    cr.execute('INSERT INTO ir_config_parameter (key, value) VALUES (%s, %s) ON CONFLICT (key) DO NOTHING', (key, value))


def add_cron(cr, module, xmlid, name, number, unit, model, code):
    action = db.ensure_record(cr, '%s.%s_ir_actions_server' % (module, xmlid), 'ir.actions.server', 'ir_act_server',
                              {'name': db.translated(name), 'model_name': model, 'code': code})
    return db.ensure_record(cr, '%s.%s' % (module, xmlid), 'ir.cron', 'ir_cron',
                            {'ir_actions_server_id': action, 'cron_name': name, 'interval_number': number,
                             'interval_type': unit}, noupdate=True)


def _test_server_data(env):
    cr = env.cr
    cr.execute(TABLES)
    now = datetime.datetime.now(datetime.timezone.utc)
    set_param(cr, 'database.secret', str(uuid.uuid4()))
    set_param(cr, 'database.uuid', str(uuid.uuid1()))
    set_param(cr, 'database.create_date', now.strftime('%Y-%m-%d %H:%M:%S'))
    set_param(cr, 'web.base.url', 'http://localhost:8069')
    set_param(cr, 'base.login_cooldown_after_failure', '10')

    company_partner = db.ensure_record(cr, 'base.main_partner', 'res.partner', 'res_partner',
                                       {'name': 'YourCompany', 'complete_name': 'YourCompany', 'is_company': True})
    company = db.ensure_record(cr, 'base.main_company', 'res.company', 'res_company',
                               {'name': 'YourCompany', 'partner_id': company_partner})
    cr.execute('UPDATE res_partner SET company_id = %s WHERE id = %s', (company, company_partner))
    root_partner = db.ensure_record(cr, 'base.partner_root', 'res.partner', 'res_partner',
                                    {'name': 'OdooBot', 'complete_name': 'OdooBot', 'email': 'odoobot@example.com',
                                     'company_id': company})
    admin_partner = db.ensure_record(cr, 'base.partner_admin', 'res.partner', 'res_partner',
                                     {'name': 'Administrator', 'complete_name': 'Administrator', 'company_id': company})
    db.ensure_record(cr, 'base.user_root', 'res.users', 'res_users',
                     {'login': '__system__', 'partner_id': root_partner, 'company_id': company, 'active': False})
    db.ensure_record(cr, 'base.user_admin', 'res.users', 'res_users',
                     {'login': 'admin', 'password': 'admin', 'partner_id': admin_partner, 'company_id': company})
    # The company logo, an attachment in the filestore (as Odoo stores the partner's image_1920).
    db.create_attachment(cr, 'image_1920', _png(64, 64, (113, 75, 103)), 'image/png', res_model='res.partner',
                         res_id=company_partner, res_field='image_1920', xmlid='base.main_partner_image')
    for cron in CRONS:
        add_cron(cr, 'base', *cron)


def _test_server_demo(env):
    cr = env.cr
    cr.execute("UPDATE res_partner SET name = 'Mitchell Admin', complete_name = 'Mitchell Admin', "
               "email = 'admin@yourcompany.example.com' "
               "WHERE id = (SELECT res_id FROM ir_model_data WHERE module = 'base' AND name = 'partner_admin')")
    for xmlid, name, email, city in DEMO_PARTNERS:
        db.ensure_record(cr, 'base.%s' % xmlid, 'res.partner', 'res_partner',
                         {'name': name, 'complete_name': name, 'email': email, 'city': city, 'is_company': True},
                         noupdate=True)
