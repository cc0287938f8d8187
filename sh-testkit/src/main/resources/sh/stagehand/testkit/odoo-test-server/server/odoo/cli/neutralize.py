"""`odoo neutralize -d DB [--stdout]` (odoo/cli/neutralize.py): run the data/neutralize.sql of
every installed module in one transaction, or print them as a SQL script."""

import logging
import sys
import threading

from .. import sql_db
from ..modules import neutralize
from ..tools import config
from .server import setup

_logger = logging.getLogger('odoo.cli.neutralize')


def run(args, prog='odoo neutralize'):
    to_stdout = '--stdout' in args
    setup([a for a in args if a != '--stdout'], prog)
    dbname = config['db_name']
    if not dbname:
        _logger.error('Neutralize command needs a database name. Use "-d" argument')
        return 1
    threading.current_thread().dbname = dbname
    if not to_stdout:
        _logger.info('Starting %s database neutralization', dbname)
    try:
        with sql_db.cursor(dbname) as cr:
            if to_stdout:
                queries = neutralize.get_neutralization_queries(neutralize.get_installed_modules(cr))
                print('BEGIN;')
                for query in queries:
                    print(query.rstrip(';') + ';')
                print('COMMIT;')
            else:
                neutralize.neutralize_database(cr)
    except Exception:
        _logger.critical('An error occurred during the neutralization. THE DATABASE IS NOT NEUTRALIZED!')
        sys.exit(1)
    return 0
