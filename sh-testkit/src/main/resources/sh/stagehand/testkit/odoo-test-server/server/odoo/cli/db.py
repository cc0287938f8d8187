"""`odoo db` (odoo/cli/db.py, in Odoo since 16.0): the database manager's operations on the
command line, whatever --no-database-list says.

    odoo db [options] load [-f] [-n] [database] dump_file     restore a backup zip (as a copy)
    odoo db [options] dump database [dump_path]               write the backup zip ('-': stdout)
    odoo db [options] duplicate [-f] [-n] source target
    odoo db [options] rename [-f] source target
    odoo db [options] drop database
Options: -c, -D/--data-dir, --addons-path, -r/--db_user, -w/--db_password, --pg_path, --db_host,
--db_port, --db_sslmode (also accepted after the subcommand, where the official image's
entrypoint appends them).
"""

import argparse
import logging
import os
import sys
import threading
import zipfile

from ..modules import module
from ..netsvc import init_logger
from ..service import db
from ..tools import config

_logger = logging.getLogger('odoo.cli.db')


def _options():
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument('-c', '--config')
    options.add_argument('-D', '--data-dir')
    options.add_argument('--addons-path')
    options.add_argument('-r', '--db_user')
    options.add_argument('-w', '--db_password')
    options.add_argument('--pg_path')
    options.add_argument('--db_host')
    options.add_argument('--db_port')
    options.add_argument('--db_sslmode')
    return options


def _parser(prog):
    options = _options()
    parser = argparse.ArgumentParser(prog=prog, parents=[options], description='Database management commands')
    commands = parser.add_subparsers(dest='command', required=True)
    load = commands.add_parser('load', parents=[options], help='Load a dump file.')
    load.add_argument('-f', '--force', action='store_true')
    load.add_argument('-n', '--neutralize', action='store_true')
    load.add_argument('database', nargs='?')
    load.add_argument('dump_file')
    dump = commands.add_parser('dump', parents=[options], help='Create a dump with filestore.')
    dump.add_argument('database')
    dump.add_argument('dump_path', nargs='?', default='-')
    duplicate = commands.add_parser('duplicate', parents=[options], help='Duplicate a database including filestore.')
    duplicate.add_argument('-f', '--force', action='store_true')
    duplicate.add_argument('-n', '--neutralize', action='store_true')
    duplicate.add_argument('source')
    duplicate.add_argument('target')
    rename = commands.add_parser('rename', parents=[options], help='Rename a database including filestore.')
    rename.add_argument('-f', '--force', action='store_true')
    rename.add_argument('source')
    rename.add_argument('target')
    drop = commands.add_parser('drop', parents=[options], help='Delete a database including filestore.')
    drop.add_argument('database')
    return parser


def _check_target(target, force):
    if db.exp_db_exist(target):
        if not force:
            sys.exit(f"Target database {target} exists, aborting.\n\n\tuse `--force` to delete the existing database anyway.")
        db.exp_drop(target)


def run(args, prog='odoo db'):
    parsed = _parser(prog).parse_args(args)
    config_args = []
    for option, name in (('config', '-c'), ('data_dir', '--data-dir'), ('addons_path', '--addons-path'),
                         ('db_user', '--db_user'), ('db_password', '--db_password'), ('pg_path', '--pg_path'),
                         ('db_host', '--db_host'), ('db_port', '--db_port'), ('db_sslmode', '--db_sslmode')):
        value = getattr(parsed, option)
        if value:
            config_args += [name, value]
    config.parse_config(config_args, prog=prog)
    config['list_db'] = True
    init_logger()
    module.initialize_sys_path()
    threading.current_thread().dbname = '?'

    if parsed.command == 'load':
        name = parsed.database or os.path.splitext(os.path.basename(parsed.dump_file))[0]
        if not zipfile.is_zipfile(parsed.dump_file):
            sys.exit("Not a zipped dump file, use `pg_restore` instead.")
        _check_target(name, parsed.force)
        db.restore_db(name, parsed.dump_file, copy=True, neutralize_database=parsed.neutralize)
    elif parsed.command == 'dump':
        if parsed.dump_path == '-':
            db.dump_db(parsed.database, sys.stdout.buffer)
        else:
            with open(parsed.dump_path, 'wb') as f:
                db.dump_db(parsed.database, f)
    elif parsed.command == 'duplicate':
        _check_target(parsed.target, parsed.force)
        db.exp_duplicate_database(parsed.source, parsed.target, neutralize_database=parsed.neutralize)
    elif parsed.command == 'rename':
        _check_target(parsed.target, parsed.force)
        db.exp_rename(parsed.source, parsed.target)
    elif parsed.command == 'drop':
        if not db.exp_drop(parsed.database):
            sys.exit(f"Database {parsed.database} does not exist.")
    return 0
