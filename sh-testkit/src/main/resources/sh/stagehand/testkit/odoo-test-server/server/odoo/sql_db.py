"""PostgreSQL access: connections with Odoo's settings, and a psycopg2 cursor with Odoo's helpers.

`env.cr` everywhere (install, tests, hooks, shell) is a `Cursor`: a real psycopg2 cursor that also
has `commit()`, `rollback()`, `savepoint()`, `dictfetchall()` and `dbname`, like Odoo's Cursor.
"""

import contextlib
import itertools
import logging
import os
import threading
import time

import psycopg2
import psycopg2.extensions
from psycopg2 import sql

from .tools import config

_logger = logging.getLogger(__name__)

sql_counter = 0          # queries run by this process (Odoo reports it in its timing lines)
_savepoint_seq = itertools.count()


class Cursor(psycopg2.extensions.cursor):

    def execute(self, query, params=None):
        global sql_counter
        t0 = time.time()
        try:
            return super().execute(query, params)
        finally:
            sql_counter += 1
            # Per-thread figures for the perf part of werkzeug log lines (see netsvc.PerfFilter).
            thread = threading.current_thread()
            if hasattr(thread, 'query_count'):
                thread.query_count += 1
                thread.query_time += time.time() - t0

    @property
    def dbname(self):
        return self.connection.info.dbname

    def commit(self):
        self.connection.commit()

    def rollback(self):
        self.connection.rollback()

    def dictfetchone(self):
        row = self.fetchone()
        return row and dict(zip((d.name for d in self.description), row))

    def dictfetchall(self):
        names = [d.name for d in self.description]
        return [dict(zip(names, row)) for row in self.fetchall()]

    @contextlib.contextmanager
    def savepoint(self, flush=True):
        name = 'sp_%d' % next(_savepoint_seq)
        self.execute('SAVEPOINT "%s"' % name)
        try:
            yield
        except BaseException:
            self.execute('ROLLBACK TO SAVEPOINT "%s"' % name)
            raise
        else:
            self.execute('RELEASE SAVEPOINT "%s"' % name)


class Connection(psycopg2.extensions.connection):
    """A connection with Odoo's post-commit hooks (cr.postcommit): callbacks run once the
    transaction is committed, dropped when it is rolled back."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._postcommit = {}

    def add_postcommit(self, key, callback):
        """Register `callback` under `key` unless one is already; return the one registered."""
        return self._postcommit.setdefault(key, callback)

    def commit(self):
        super().commit()
        callbacks, self._postcommit = list(self._postcommit.values()), {}
        for callback in callbacks:
            callback()

    def rollback(self):
        self._postcommit = {}
        super().rollback()


class TestCursor(Cursor):
    """The cursor tests get: the install's transaction, which a test may not end."""

    def commit(self):
        raise AssertionError('Cannot commit or rollback a cursor from inside a test, this will lead to a broken '
                             'cursor when trying to rollback the test. Please rollback to a specific savepoint instead.')

    rollback = commit


def connection_info():
    """Keyword arguments for psycopg2.connect from the db_* options (unset ones use libpq's defaults)."""
    info = {'application_name': 'odoo-%d' % os.getpid()}
    for key, option in (('host', 'db_host'), ('port', 'db_port'), ('user', 'db_user'),
                        ('password', 'db_password'), ('sslmode', 'db_sslmode')):
        if config[option]:
            info[key] = config[option]
    return info


def db_connect(dbname, cursor_factory=Cursor):
    return psycopg2.connect(dbname=dbname, connection_factory=Connection, cursor_factory=cursor_factory, **connection_info())


@contextlib.contextmanager
def cursor(dbname):
    """A cursor in its own transaction: committed when the block ends normally, else rolled back."""
    cnx = db_connect(dbname)
    try:
        with cnx.cursor() as cr:
            yield cr
        cnx.commit()
    finally:
        cnx.close()         # without a commit, the transaction is rolled back


def list_dbs():
    """The databases the configured user owns, as Odoo's odoo.service.db.list_dbs."""
    templates = tuple({'postgres', config['db_template']})
    with cursor('postgres') as cr:
        cr.execute("""SELECT datname FROM pg_database
                       WHERE datdba = (SELECT usesysid FROM pg_user WHERE usename = current_user)
                         AND NOT datistemplate AND datallowconn AND datname NOT IN %s
                       ORDER BY datname""", (templates,))
        return [name for (name,) in cr.fetchall()]


class DatabaseExists(Warning):
    pass


def create_empty_database(name, template=None):
    """As Odoo's _create_empty_database: UTF8, the configured template (template0, collation C), pg_trgm;
    with `template`, a copy of that database (as Odoo's duplicate)."""
    cnx = db_connect('postgres')
    try:
        cnx.autocommit = True
        with cnx.cursor() as cr:
            cr.execute('SELECT datname FROM pg_database WHERE datname = %s', (name,))
            if cr.fetchall():
                raise DatabaseExists('database %r already exists!' % name)
            if template:
                cr.execute('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s', (template,))
            template = template or config['db_template']
            collate = sql.SQL("LC_COLLATE 'C'" if template == 'template0' else '')
            cr.execute(sql.SQL("CREATE DATABASE {} ENCODING 'unicode' {} TEMPLATE {}").format(
                sql.Identifier(name), collate, sql.Identifier(template)))
    finally:
        cnx.close()
    try:
        with cursor(name) as cr:
            cr.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
            if config['unaccent']:
                cr.execute('CREATE EXTENSION IF NOT EXISTS unaccent')
    except psycopg2.Error as e:
        _logger.warning('Unable to create PostgreSQL extensions : %s', e)
