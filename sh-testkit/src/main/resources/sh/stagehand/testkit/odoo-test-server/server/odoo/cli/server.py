"""The `server` command (odoo/cli/server.py): parse the options, set up logging, report the
configuration, create a missing -d database, then run the server."""

import getpass
import logging
import os
import sys

import odoo
from .. import release, sql_db
from ..modules import module
from ..netsvc import init_logger
from ..service import server
from ..tools import config

_logger = logging.getLogger('odoo')


def check_root_user():
    if os.name == 'posix' and getpass.getuser() == 'root':
        sys.stderr.write("Running as user 'root' is a security risk.\n")


def check_postgres_user():
    if (config['db_user'] or os.environ.get('PGUSER')) == 'postgres':
        sys.stderr.write("Using the database user 'postgres' is a security risk, aborting.")
        sys.exit(1)


def report_configuration():
    _logger.info('Odoo version %s', release.version)
    _logger.info('%s', release.TEST_SERVER_BANNER)
    if os.path.isfile(config.rcfile):
        _logger.info('Using configuration file at %s', config.rcfile)
    _logger.info('addons paths: %s', list(odoo.addons.__path__))
    host = config['db_host'] or os.environ.get('PGHOST', 'default')
    port = config['db_port'] or os.environ.get('PGPORT', 'default')
    user = config['db_user'] or os.environ.get('PGUSER', 'default')
    _logger.info('database: %s@%s:%s', user, host, port)


def setup(args, prog):
    """What every command does first: options, logging, addons path, configuration report."""
    check_root_user()
    config.parse_config(args, prog=prog)
    check_postgres_user()
    init_logger()
    module.initialize_sys_path()
    report_configuration()


def run(args, prog='odoo-bin'):
    setup(args, prog)
    if config['workers']:
        _logger.info('--workers=%s: the test server always runs threaded (workers = 0)', config['workers'])
    dbnames = [db.strip() for db in (config['db_name'] or '').split(',') if db.strip()]
    for dbname in dbnames:
        # As Odoo 16+: a -d database that does not exist is created (and base installed).
        try:
            sql_db.create_empty_database(dbname)
            config['init'] = config['init'] or ['base']
        except sql_db.DatabaseExists:
            pass
    if config['pidfile']:
        with open(config['pidfile'], 'w') as f:
            f.write(str(os.getpid()))
    return server.start(preload=dbnames, stop=config['stop_after_init'])
