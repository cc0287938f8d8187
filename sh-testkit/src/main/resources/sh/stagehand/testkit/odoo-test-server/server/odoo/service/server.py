"""The server process, as Odoo 17's threaded server (odoo/service/server.py, workers = 0).

run(): the HTTP thread (unless --stop-after-init), then each -d database is loaded
(preload_registries, Registry.new): installed and updated module by module, committed module by
module; on a failure the transaction in progress is rolled back and the transient module states
reset (odoo.modules.loading.reset_modules_state). With --stop-after-init, log the test summary and
return the exit code; else start the cron threads and serve until SIGTERM/SIGINT. Exit codes are
Odoo's: 0; 1 when a test failed or errored (one per database); 255 (-1) when a database could not
be loaded.

Cron threads (--max-cron-threads, default 2; 0: none) are Odoo's: each LISTENs on the
`cron_trigger` channel of the `postgres` database and wakes up on a NOTIFY or every
SLEEP_INTERVAL (+ its number) seconds to run the ready jobs of the loaded databases
(odoo.addons.base.models.ir_cron.process_jobs).

Shutdown (SIGTERM/SIGINT, as Odoo's ThreadedServer.stop): `Initiating shutdown`, the functions
addons registered with ThreadedServer.on_stop (bus: close every websocket with GOING_AWAY, stop
its dispatcher), the HTTP service stopped, then the websocket threads are waited for until
SHUTDOWN_WAIT seconds after the signal (Odoo waits up to 1 s for its request threads).

SIGHUP (Odoo's `kill -HUP`, the online editor's restart): `Initiating server reload`, the same
shutdown, then the same program with the same arguments in place of the process (odoo.phoenix and
_reexec in odoo/service/server.py): the addons' code is read anew.
"""

import logging
import os
import select
import signal
import sys
import threading
import time

from .. import sql_db
from ..modules.loading import Loader, reset_modules_state
from ..tests import loader as test_loader
from ..tests.result import OdooTestResult
from ..tools import config

_logger = logging.getLogger(__name__)
_registry_logger = logging.getLogger('odoo.modules.registry')
_result_logger = logging.getLogger('odoo.tests.result')

SLEEP_INTERVAL = 60     # seconds between two polls of a cron thread, as Odoo's
SHUTDOWN_WAIT = 0.5     # seconds the shutdown waits for the websockets to answer their close frame

# dbname -> {'modules': [...]} for each database loaded successfully: what HTTP and cron serve.
registries = {}
# dbname -> OdooTestResult, with --test-enable
test_reports = {}
# Whether this process serves HTTP (and runs crons): databases it restores or is asked for are loaded.
serving = False


def load_registry(dbname, update_module, report):
    """Odoo's Registry.new: load the database; on failure, roll back what is not committed, reset
    the transient module states, log and raise. Returns the Loader, or None for a database that
    is not initialized."""
    t0 = time.time()
    cnx = sql_db.db_connect(dbname)
    try:
        try:
            loader = Loader(cnx, config['init'] if update_module else (), config['update'] if update_module else (),
                            without_demo=bool(config['without_demo']), test_enable=config['test_enable'], test_report=report)
            loaded = loader.run()
            cnx.commit()
        except Exception:
            try:
                cnx.rollback()
            except Exception:
                pass            # a dead connection rolls back by itself
            reset_modules_state(dbname)
            raise
    except Exception:
        _registry_logger.exception('Failed to load registry')
        raise
    finally:
        cnx.close()
    if not loaded:
        return None
    _registry_logger.info('Registry loaded in %.3fs', time.time() - t0)
    registries[dbname] = {'modules': loader.loaded}
    return loader


_registries_lock = threading.Lock()


def ensure_registry(dbname):
    """Odoo's Registry(db): the first request for a database loads it (and its crons then run)."""
    if dbname in registries:
        return
    with _registries_lock:
        if dbname not in registries:
            load_registry(dbname, False, OdooTestResult() if config['test_enable'] else None)


def forget_registry(dbname):
    """Odoo's Registry.delete, when a database is dropped or renamed."""
    registries.pop(dbname, None)


def preload_registries(dbnames):
    """Load (install/update) each database; return the exit code contribution."""
    rc = 0
    for dbname in dbnames:
        threading.current_thread().dbname = dbname
        try:
            report = test_reports[dbname] = OdooTestResult() if config['test_enable'] else None
            update_module = bool(config['init'] or config['update'])
            with _registries_lock:          # a request for the database waits for it, as on Odoo's registry lock
                loader = load_registry(dbname, update_module, report)
            if loader is None:
                continue
            if config['test_enable']:
                run_post_tests(dbname, loader.processed if update_module else sorted(loader.loaded), report)
            if report is not None and not report.wasSuccessful():
                rc += 1
        except Exception:
            _logger.critical('Failed to initialize database `%s`.', dbname, exc_info=True)
            return -1
    return rc


def run_post_tests(dbname, module_names, report):
    """post_install tests run once every module is loaded, in a transaction rolled back after."""
    _logger.info('Starting post tests')
    t0, q0 = time.time(), sql_db.sql_counter
    result = test_loader.run_suite(test_loader.make_suite(module_names, 'post_install'), dbname)
    report.update(result)
    _logger.info('%d post-tests in %.2fs, %s queries', result.testsRun, time.time() - t0, sql_db.sql_counter - q0)


def cron_thread(number, stop_event):
    """Odoo's cron_thread: LISTEN cron_trigger, then wait for a NOTIFY or SLEEP_INTERVAL + number
    seconds, and run the ready jobs of every loaded database."""
    from odoo.addons.base.models import ir_cron     # late: an addon of the database
    thread = threading.current_thread()
    thread.dbname = '?'
    cnx = sql_db.db_connect('postgres')
    cnx.autocommit = True
    try:
        with cnx.cursor() as cr:
            cr.execute('SELECT pg_is_in_recovery()')
            if not cr.fetchone()[0]:
                cr.execute('LISTEN cron_trigger')
            else:
                _logger.warning('PG cluster in recovery mode, cron trigger not activated')
        while not stop_event.is_set():
            select.select([cnx], [], [], SLEEP_INTERVAL + number)
            if stop_event.is_set():
                return
            time.sleep(number / 100)
            cnx.poll()
            cnx.notifies.clear()
            _logger.debug('cron%d polling for jobs', number)
            for dbname in list(registries):
                try:
                    ir_cron.process_jobs(dbname)
                except Exception:
                    _logger.warning('cron%d encountered an Exception:', number, exc_info=True)
                thread.dbname = '?'
    finally:
        cnx.close()


# Set by SIGHUP: the server stops, then starts again as a new process (Odoo's odoo.phoenix).
phoenix = False


class ThreadedServer:
    _on_stop_funcs = []

    @classmethod
    def on_stop(cls, func):
        """Register a function to run when the server stops (Odoo's CommonServer.on_stop)."""
        cls._on_stop_funcs.append(func)

    def __init__(self):
        self.quit_signals_received = 0
        self.httpd = None
        self.threads = []
        self.cron_stop = threading.Event()

    def signal_handler(self, sig, frame):
        global phoenix
        if sig == signal.SIGHUP:
            # restart on kill -HUP, as Odoo's ThreadedServer.signal_handler (odoo/service/server.py)
            phoenix = True
        self.quit_signals_received += 1
        if self.quit_signals_received > 1:
            sys.stderr.write('Forced shutdown.\n')
            os._exit(0)
        raise KeyboardInterrupt()     # interrupts run() wherever it is, as in Odoo

    def start(self, stop=False):
        signal.signal(signal.SIGINT, self.signal_handler)
        signal.signal(signal.SIGTERM, self.signal_handler)
        signal.signal(signal.SIGHUP, self.signal_handler)
        if stop:
            return
        global serving
        serving = True
        if config['http_enable']:
            from . import httpd           # late: only a running server needs it
            self.httpd = httpd.make_server(config['http_interface'] or '0.0.0.0', config['http_port'])
            # A short poll interval: httpd.shutdown() returns within it.
            self._spawn(lambda: self.httpd.serve_forever(poll_interval=0.1), 'odoo.service.httpd')
            _logger.info('HTTP service (werkzeug) running on %s:%s',
                         config['http_interface'] or os.uname().nodename, config['http_port'])

    def cron_spawn(self):
        """As Odoo: --max-cron-threads threads (0: no cron at all), started once the databases are loaded."""
        for number in range(config['max_cron_threads']):
            # Daemon threads blocked in select(): not joined at shutdown, as in Odoo.
            threading.Thread(target=cron_thread, args=(number, self.cron_stop), name='odoo.service.cron.cron%d' % number,
                             daemon=True).start()
            _logger.debug('cron%d started!', number)

    def _spawn(self, target, name):
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def stop(self):
        _logger.info('Initiating server reload' if phoenix else 'Initiating shutdown')
        _logger.info('Hit CTRL-C again or send a second signal to force the shutdown.')
        stop_time = time.time()
        self.cron_stop.set()
        for func in self._on_stop_funcs:
            try:
                _logger.debug('on_close call %s', func)
                func()
            except Exception:
                _logger.warning('Exception in %s', func.__name__, exc_info=True)
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
        for thread in self.threads:
            thread.join(5)
        # Websocket threads (daemons, as every request thread here) get until the deadline to
        # finish their closing handshake, so that the clients read the close frame to the end.
        for thread in threading.enumerate():
            while getattr(thread, 'type', None) == 'websocket' and thread.is_alive() \
                    and time.time() - stop_time < SHUTDOWN_WAIT:
                thread.join(0.02)
        logging.shutdown()

    def run(self, preload=None, stop=False):
        try:
            self.start(stop=stop)
            rc = preload_registries(preload or [])
            if stop:
                if config['test_enable']:
                    log_test_summary()
                self.stop()
                return rc
            self.cron_spawn()
            while True:
                time.sleep(60)          # until a signal raises KeyboardInterrupt
        except KeyboardInterrupt:
            self.stop()
            return 0


def log_test_summary():
    """Odoo 17's last test line: ERROR when a test failed, WARNING when no test ran, else INFO."""
    for dbname, report in test_reports.items():
        if dbname not in registries:
            continue
        log = (_result_logger.error if not report.wasSuccessful()
               else _result_logger.warning if not report.testsRun else _result_logger.info)
        log('%s when loading database %r', report, dbname)


def _reexec():
    """Odoo's _reexec: the same program, with the same arguments, in place of this process (new code loaded)."""
    os.execve(sys.executable, [sys.executable] + sys.argv, os.environ)


def start(preload=None, stop=False):
    rc = ThreadedServer().run(preload, stop)
    if phoenix:
        _reexec()
    return rc
