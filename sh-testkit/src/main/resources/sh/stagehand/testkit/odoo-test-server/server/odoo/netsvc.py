"""Logging set up as Odoo's odoo/netsvc.py does it.

A line is `YYYY-MM-DD HH:MM:SS,mmm PID LEVEL DBNAME LOGGER: message PERF` where DBNAME is the
database of the current thread (`?` when none) and PERF is the request's "queries sql-time
other-time" on werkzeug lines and empty elsewhere - so, as in Odoo 16+, other lines end with a
space. Odoo's level 25 is shown as INFO. Any logger, an addon's `logging.getLogger(__name__)`
included, comes out in this format.
"""

import logging
import logging.handlers
import os
import sys
import threading
import time
import warnings

from .tools import config

LOG_FORMAT = '%(asctime)s %(pid)s %(levelname)s %(dbname)s %(name)s: %(message)s %(perf_info)s'

# What each --log-level turns on (Odoo's PSEUDOCONFIG_MAPPER); 'test' and 'runbot' are 'info'.
PSEUDOCONFIG_MAPPER = {
    'debug_rpc_answer': ['odoo:DEBUG', 'odoo.sql_db:INFO', 'odoo.http.rpc:DEBUG'],
    'debug_rpc': ['odoo:DEBUG', 'odoo.sql_db:INFO', 'odoo.http.rpc.request:DEBUG'],
    'debug': ['odoo:DEBUG', 'odoo.sql_db:INFO'],
    'debug_sql': ['odoo.sql_db:DEBUG'],
    'info': [],
    'runbot': ['odoo:RUNBOT', 'werkzeug:WARNING'],
    'warn': ['odoo:WARNING', 'werkzeug:WARNING'],
    'error': ['odoo:ERROR', 'werkzeug:ERROR'],
    'critical': ['odoo:CRITICAL', 'werkzeug:CRITICAL'],
}
DEFAULT_LOG_CONFIGURATION = ['odoo.http.rpc.request:INFO', 'odoo.http.rpc.response:INFO', ':INFO']

logging.RUNBOT = 25
logging.addLevelName(25, 'INFO')


class DBFormatter(logging.Formatter):
    def format(self, record):
        record.pid = os.getpid()
        record.dbname = getattr(threading.current_thread(), 'dbname', '?')
        return super().format(record)


class PerfFilter(logging.Filter):
    """Adds "queries sql-time other-time" of the current HTTP request to werkzeug lines."""

    def filter(self, record):
        thread = threading.current_thread()
        if hasattr(thread, 'query_count'):
            query_time = getattr(thread, 'query_time', 0.0)
            remaining = time.time() - getattr(thread, 'perf_t0', time.time()) - query_time
            record.perf_info = '%d %.3f %.3f' % (thread.query_count, query_time, max(remaining, 0.0))
        else:
            record.perf_info = '- - -'
        return True


_old_factory = logging.getLogRecordFactory()


def _record_factory(*args, **kwargs):
    record = _old_factory(*args, **kwargs)
    record.perf_info = ''
    return record


_initialized = False


def init_logger():
    """Route every log record to stderr, or to --logfile, in Odoo's format."""
    global _initialized
    if _initialized:
        return
    _initialized = True
    logging.setLogRecordFactory(_record_factory)
    # Python warnings (e.g. an addon's DeprecationWarning) become WARNING py.warnings lines.
    warnings.simplefilter('default', category=DeprecationWarning)
    logging.captureWarnings(True)

    handler = logging.StreamHandler(sys.stderr)
    if config['logfile']:
        logfile = config['logfile']
        try:
            dirname = os.path.dirname(logfile)
            if dirname and not os.path.isdir(dirname):
                os.makedirs(dirname)
            handler = logging.handlers.WatchedFileHandler(logfile)
        except OSError:
            sys.stderr.write("ERROR: couldn't create the logfile directory. Logging to the standard output.\n")
    handler.setFormatter(DBFormatter(LOG_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    logging.getLogger('werkzeug').addFilter(PerfFilter())

    pseudo = PSEUDOCONFIG_MAPPER.get(config['log_level'], [])
    for spec in DEFAULT_LOG_CONFIGURATION + pseudo + list(config['log_handler'] or []):
        name, _, level = spec.partition(':')
        level = getattr(logging, level.strip().upper(), None) if level else logging.INFO
        if level is not None:
            logging.getLogger(name.strip() or None).setLevel(level)
