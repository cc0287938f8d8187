"""`odoo shell -d DB` (odoo/cli/shell.py): load the database, then run Python with `env` (whose
`env.cr` is a psycopg2 cursor), `odoo` and `self` in scope: the script read from stdin when
stdin is not a terminal, an interactive console otherwise. As in Odoo, the transaction is rolled
back at the end: a script that changes data calls `env.cr.commit()`.
"""

import code
import logging
import os
import sys
import threading

import odoo
from .. import SUPERUSER_ID, api, sql_db
from ..modules.loading import Loader
from ..tools import config
from .server import setup

_logger = logging.getLogger('odoo.cli.shell')


def console(local_vars):
    if not os.isatty(sys.stdin.fileno()):
        local_vars['__name__'] = '__main__'
        exec(sys.stdin.read(), local_vars)
    else:
        code.InteractiveConsole(local_vars).interact(
            banner='env: %r\nodoo: odoo (the Odoo-compatible test server: env.cr is the way to the data)'
            % local_vars.get('env'))


def run(args, prog='odoo shell'):
    setup(args, prog)
    local_vars = {'openerp': odoo, 'odoo': odoo}
    dbname = (config['db_name'] or '').split(',')[0].strip()
    if not dbname:
        console(local_vars)
        return 0
    threading.current_thread().dbname = dbname
    cnx = sql_db.db_connect(dbname)
    try:
        Loader(cnx).run()              # loads (imports) the installed modules, as Odoo's registry does
        cnx.commit()
        env = api.Environment(cnx.cursor(), SUPERUSER_ID, {})
        local_vars.update(env=env, self=None)
        console(local_vars)
        cnx.rollback()
    finally:
        cnx.close()
    return 0
