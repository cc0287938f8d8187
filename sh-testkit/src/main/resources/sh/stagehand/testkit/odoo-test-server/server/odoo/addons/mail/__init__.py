"""Core addon `mail` of the test server: mail templates and the mail queue cron (see
odoo.tools.mail_delivery for sending)."""

from odoo.addons.base import add_cron

TABLES = """
CREATE TABLE IF NOT EXISTS mail_template (
    id serial PRIMARY KEY,
    name jsonb, model varchar, subject jsonb, body_html jsonb, email_from varchar,
    mail_server_id integer REFERENCES ir_mail_server ON DELETE SET NULL
);
"""


def _test_server_data(env):
    env.cr.execute(TABLES)
    add_cron(env.cr, 'mail', 'ir_cron_mail_scheduler_action', 'Mail: Email Queue Manager', 1, 'hours',
             'mail.mail', 'model.process_email_queue()')
