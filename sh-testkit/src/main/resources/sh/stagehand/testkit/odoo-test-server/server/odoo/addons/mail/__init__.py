"""Core addon `mail` of the test server: the outgoing mail queue (models.mail_mail) and its
"Mail: Email Queue Manager" cron, mail templates, incoming mail servers and the web push tables
Odoo 17's mail neutralization touches."""

from odoo.addons.base import add_cron

from . import models

TABLES = """
CREATE TABLE IF NOT EXISTS mail_template (
    id serial PRIMARY KEY,
    name jsonb, model varchar, subject jsonb, body_html jsonb, email_from varchar,
    mail_server_id integer REFERENCES ir_mail_server ON DELETE SET NULL
);
CREATE TABLE IF NOT EXISTS mail_message (
    id serial PRIMARY KEY,
    create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'), write_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'),
    subject varchar, date timestamp, body text, model varchar, res_id integer, email_from varchar, reply_to varchar,
    message_id varchar, message_type varchar NOT NULL DEFAULT 'email_outgoing',
    mail_server_id integer REFERENCES ir_mail_server ON DELETE SET NULL
);
CREATE TABLE IF NOT EXISTS mail_mail (
    id serial PRIMARY KEY,
    create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'), write_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'),
    mail_message_id integer NOT NULL REFERENCES mail_message ON DELETE CASCADE,
    body_html text, "references" text, headers text, is_notification boolean, email_to text, email_cc varchar,
    state varchar DEFAULT 'outgoing', failure_type varchar, failure_reason text, auto_delete boolean,
    scheduled_date timestamp, fetchmail_server_id integer
);
CREATE INDEX IF NOT EXISTS mail_mail_mail_message_id_index ON mail_mail (mail_message_id);
CREATE TABLE IF NOT EXISTS fetchmail_server (
    id serial PRIMARY KEY,
    name varchar NOT NULL, active boolean DEFAULT true, state varchar DEFAULT 'draft', server varchar,
    port integer, server_type varchar DEFAULT 'imap', is_ssl boolean, "user" varchar, password varchar
);
CREATE TABLE IF NOT EXISTS mail_partner_device (
    id serial PRIMARY KEY, partner_id integer NOT NULL REFERENCES res_partner ON DELETE CASCADE,
    endpoint varchar NOT NULL, keys varchar NOT NULL, expiration_time timestamp
);
CREATE TABLE IF NOT EXISTS mail_notification_web_push (
    id serial PRIMARY KEY, user_device integer NOT NULL REFERENCES mail_partner_device ON DELETE CASCADE,
    payload text
);
"""


def _test_server_data(env):
    env.cr.execute(TABLES)
    add_cron(env.cr, 'mail', 'ir_cron_mail_scheduler_action', 'Mail: Email Queue Manager', 1, 'hours',
             'mail.mail', 'model.process_email_queue()')
