"""Core addon `payment` of the test server: the payment_provider table with Odoo's states
('disabled', 'enabled' = live, 'test') and its neutralization, which takes live providers out of
live mode."""

from odoo.modules import db


def _test_server_data(env):
    env.cr.execute("""CREATE TABLE IF NOT EXISTS payment_provider (
        id serial PRIMARY KEY,
        name jsonb NOT NULL, code varchar NOT NULL, state varchar NOT NULL DEFAULT 'disabled',
        company_id integer REFERENCES res_company, is_published boolean DEFAULT false)""")
    db.ensure_record(env.cr, 'payment.payment_provider_demo', 'payment.provider', 'payment_provider',
                     {'name': db.translated('Demo'), 'code': 'demo', 'state': 'test'}, noupdate=True)
