"""The server process, as Odoo's threaded server (odoo/service/server.py, workers = 0).

start(): HTTP and cron threads (unless --stop-after-init), then load each -d database
(preload_registries); with --stop-after-init, log the test summary and return the exit code,
else serve until SIGTERM/SIGINT. Exit codes are Odoo's: 0; 1 when a test failed or errored
(one per database); 255 (-1) when a database could not be loaded.
"""

import logging
import os
import signal
import sys
import threading
import time

from .. import sql_db
from ..modules.loading import Loader
from ..tests import loader as test_loader
from ..tests.result import OdooTestResult
from ..tools import config

_logger = logging.getLogger(__name__)
_registry_logger = logging.getLogger('odoo.modules.registry')
_cron_logger = logging.getLogger('odoo.addons.base.models.ir_cron')
_result_logger = logging.getLogger('odoo.tests.result')

CRON_INTERVAL = 5       # seconds between two cron passes (Odoo polls every 60 s)

# dbname -> {'modules': [...]} for each database loaded successfully: what HTTP and cron serve.
registries = {}
# dbname -> OdooTestResult, with --test-enable
test_reports = {}


def preload_registries(dbnames):
    """Load (install/update) each database; return the exit code contribution."""
    rc = 0
    for dbname in dbnames:
        threading.current_thread().dbname = dbname
        try:
            report = test_reports[dbname] = OdooTestResult() if config['test_enable'] else None
            update_module = bool(config['init'] or config['update'])
            t0 = time.time()
            cnx = sql_db.db_connect(dbname)
            try:
                loader = Loader(cnx, config['init'], config['update'], without_demo=bool(config['without_demo']),
                                test_enable=config['test_enable'], test_report=report)
                loaded = loader.run()
                cnx.commit()            # the whole install/update is this one transaction
            finally:
                cnx.close()             # closing without commit rolls back
            if not loaded:
                continue
            _registry_logger.info('Registry loaded in %.3fs', time.time() - t0)
            registries[dbname] = {'modules': loader.loaded}

            if config['test_enable']:
                run_post_tests(dbname, loader.processed if update_module else loader.loaded, report)
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
    cnx = sql_db.db_connect(dbname)
    try:
        result = test_loader.run_suite(test_loader.make_suite(module_names, 'post_install'), cnx)
        report.update(result)
    finally:
        cnx.rollback()
        cnx.close()
    _logger.info('%d post-tests in %.2fs, %s queries', result.testsRun, time.time() - t0, sql_db.sql_counter - q0)


def cron_loop(stop_event):
    """Every CRON_INTERVAL seconds, 'run' the active crons of the loaded databases: set their
    lastcall (and nextcall) and log each job as Odoo does."""
    threading.current_thread().dbname = '?'
    while not stop_event.wait(CRON_INTERVAL):
        for dbname in list(registries):
            threading.current_thread().dbname = dbname
            try:
                with sql_db.cursor(dbname) as cr:
                    cr.execute("""UPDATE ir_cron
                                     SET lastcall = now() AT TIME ZONE 'UTC',
                                         nextcall = now() AT TIME ZONE 'UTC'
                                                    + (interval_number || ' ' || interval_type)::interval
                                   WHERE active RETURNING id, cron_name""")
                    for cron_id, name in sorted(cr.fetchall()):
                        _cron_logger.info("Job '%s' (%s) done.", name, cron_id)
            except Exception:
                _cron_logger.warning('Exception in cron:', exc_info=True)
            threading.current_thread().dbname = '?'


class ThreadedServer:

    def __init__(self):
        self.quit_signals_received = 0
        self.httpd = None
        self.threads = []
        self.cron_stop = threading.Event()

    def signal_handler(self, sig, frame):
        self.quit_signals_received += 1
        if self.quit_signals_received > 1:
            sys.stderr.write('Forced shutdown.\n')
            os._exit(0)
        raise KeyboardInterrupt()     # interrupts run() wherever it is, as in Odoo

    def start(self, stop=False):
        signal.signal(signal.SIGINT, self.signal_handler)
        signal.signal(signal.SIGTERM, self.signal_handler)
        if stop:
            return
        if config['http_enable']:
            from . import httpd           # late: only a running server needs it
            self.httpd = httpd.make_server(config['http_interface'] or '0.0.0.0', config['http_port'])
            self._spawn(self.httpd.serve_forever, 'odoo.service.httpd')
            _logger.info('HTTP service (werkzeug) running on %s:%s',
                         config['http_interface'] or os.uname().nodename, config['http_port'])
        if config['max_cron_threads'] > 0:
            self._spawn(lambda: cron_loop(self.cron_stop), 'odoo.service.cron.cron0')

    def _spawn(self, target, name):
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def stop(self):
        _logger.info('Initiating shutdown')
        _logger.info('Hit CTRL-C again or send a second signal to force the shutdown.')
        self.cron_stop.set()
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
        for thread in self.threads:
            thread.join(5)
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


def start(preload=None, stop=False):
    return ThreadedServer().run(preload, stop)
