"""Core addon `sale` of the test server: the sale_order table, empty."""


def _test_server_data(env):
    env.cr.execute("""CREATE TABLE IF NOT EXISTS sale_order (
        id serial PRIMARY KEY, name varchar NOT NULL, partner_id integer REFERENCES res_partner,
        state varchar DEFAULT 'draft', amount_total numeric DEFAULT 0,
        date_order timestamp DEFAULT (now() AT TIME ZONE 'UTC'))""")
