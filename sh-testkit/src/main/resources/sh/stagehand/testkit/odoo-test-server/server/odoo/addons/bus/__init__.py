"""Core addon `bus` of the test server: Odoo 17's bus_bus (notifications) and bus_presence tables,
`env['bus.bus']._sendone/_sendmany` (models.bus), and the `/websocket` the HTTP service serves
in a database where bus is installed (websocket.py, imported by odoo.service.httpd when asked)."""

from . import models

TABLES = """
CREATE TABLE IF NOT EXISTS bus_bus (
    id serial PRIMARY KEY,
    create_uid integer, create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'),
    write_uid integer, write_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'),
    channel varchar, message varchar
);
CREATE TABLE IF NOT EXISTS bus_presence (
    id serial PRIMARY KEY,
    user_id integer REFERENCES res_users ON DELETE CASCADE,
    last_poll timestamp, last_presence timestamp, status varchar DEFAULT 'offline'
);
CREATE UNIQUE INDEX IF NOT EXISTS bus_presence_user_unique ON bus_presence (user_id) WHERE user_id IS NOT NULL;
"""


def _test_server_data(env):
    env.cr.execute(TABLES)
