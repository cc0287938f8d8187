"""Core addon `stock` of the test server: the stock_warehouse table with the main warehouse."""

from odoo.modules import db


def _test_server_data(env):
    env.cr.execute("""CREATE TABLE IF NOT EXISTS stock_warehouse (
        id serial PRIMARY KEY, name varchar NOT NULL, code varchar(5) NOT NULL, active boolean DEFAULT true)""")
    db.ensure_record(env.cr, 'stock.warehouse0', 'stock.warehouse', 'stock_warehouse',
                     {'name': 'YourCompany', 'code': 'WH'}, noupdate=True)
