"""Scheduled actions, as Odoo 17's odoo/addons/base/models/ir_cron.py.

process_jobs(db) is what a cron thread runs for each loaded database: the active jobs whose
nextcall has come, or that have an ir_cron_trigger due, by priority; each one taken with
`FOR NO KEY UPDATE SKIP LOCKED` (so two threads never run it twice), run as its server action
("Starting job `NAME`." ... "Job done: `NAME` (0.012s)."), then its nextcall moved past now on its
interval, numbercall counted down, lastcall set and its due triggers deleted. `_trigger(at)`
records a trigger and, when it is due, NOTIFYs the cron threads after the commit.
"""

import datetime
import logging
import threading
import time

import psycopg2

from odoo import SUPERUSER_ID, api, sql_db
from odoo.models import ImplementedModel

_logger = logging.getLogger('odoo.addons.base.models.ir_cron')

_INTERVALS = {
    'minutes': lambda n: datetime.timedelta(minutes=n),
    'hours': lambda n: datetime.timedelta(hours=n),
    'days': lambda n: datetime.timedelta(days=n),
    'weeks': lambda n: datetime.timedelta(weeks=n),
    'months': lambda n: datetime.timedelta(days=30 * n),
}

_READY = """active AND numbercall != 0
            AND (nextcall <= (now() AT TIME ZONE 'UTC')
                 OR id IN (SELECT cron_id FROM ir_cron_trigger WHERE call_at <= (now() AT TIME ZONE 'UTC')))"""


class IrCron(ImplementedModel):
    _name = 'ir.cron'
    _table = 'ir_cron'

    def _trigger(self, at=None):
        """Schedule the cron to run at `at` (now when None, a datetime or a list of them)."""
        at_list = [datetime.datetime.utcnow()] if at is None else list(at) if isinstance(at, (list, tuple, set)) else [at]
        now = datetime.datetime.utcnow()
        due = False
        for cron in self:
            # An inactive cron keeps only its future triggers.
            whens = at_list if cron.read_column('active') else [when for when in at_list if when > now]
            for when in whens:
                self._cr.execute('INSERT INTO ir_cron_trigger (cron_id, call_at) VALUES (%s, %s)', (cron.id, when))
            due = due or any(when <= now for when in whens)
        if due:
            # Odoo notifies the cron threads once the transaction is committed.
            _notify_after_commit(self._cr)

    def method_direct_trigger(self):
        for cron in self:
            self._cr.execute('SELECT cron_name, ir_actions_server_id FROM ir_cron WHERE id = %s', (cron.id,))
            name, action_id = self._cr.fetchone()
            _logger.info('Manually starting job `%s`.', name)
            self.env['ir.actions.server'].browse(action_id).run()
            _logger.info('Job `%s` done.', name)
        return True


def _notify_after_commit(cr):
    """Wake the cron threads once the transaction is committed: they LISTEN on the `postgres` database."""
    dbname = cr.connection.info.dbname

    def notify():
        with sql_db.cursor('postgres') as notify_cr:
            notify_cr.execute("SELECT pg_notify('cron_trigger', %s)", (dbname,))
    cr.connection.add_postcommit('cron_trigger', notify)


def process_jobs(dbname):
    """Run the ready jobs of the database, one transaction per job."""
    threading.current_thread().dbname = dbname
    cnx = sql_db.db_connect(dbname)
    try:
        cr = cnx.cursor()
        cr.execute("SELECT id FROM ir_cron WHERE %s ORDER BY priority" % _READY)
        job_ids = [row[0] for row in cr.fetchall()]
        if not job_ids:
            return
        cr.execute("SELECT 1 FROM ir_module_module WHERE state IN ('to install', 'to upgrade', 'to remove') LIMIT 1")
        if cr.fetchone():
            _logger.warning('Skipping database %s because of modules to install/upgrade/remove.', dbname)
            return
        cnx.commit()
        for job_id in job_ids:
            try:
                cr.execute("SELECT id, cron_name, ir_actions_server_id, interval_number, interval_type, numbercall, doall, "
                           "nextcall, active, user_id FROM ir_cron WHERE %s AND id = %%s "
                           "FOR NO KEY UPDATE SKIP LOCKED" % _READY, (job_id,))
            except psycopg2.extensions.TransactionRollbackError:
                cnx.rollback()
                continue
            job = cr.fetchone()
            if job:
                _process_job(dbname, cr, job)
            cnx.commit()
    finally:
        cnx.close()


def _process_job(dbname, cron_cr, job):
    job_id, name, action_id, number, unit, numbercall, doall, nextcall, active, user_id = job
    if number <= 0:
        _logger.error('Job %s %r has been disabled because its interval number is null or negative.', job_id, name)
        cron_cr.execute('UPDATE ir_cron SET active = false WHERE id = %s', (job_id,))
        return
    interval = _INTERVALS[unit](number)
    now = datetime.datetime.utcnow()
    missed_call, missed = nextcall, 0
    while missed_call <= now:
        missed_call += interval
        missed += 1
    calls = 1 if not missed or not doall else missed if numbercall == -1 else min(missed, numbercall)
    calls_left = max(numbercall - calls, -1)
    for _ in range(calls):
        _callback(dbname, user_id, name, action_id, job_id)
    cron_cr.execute('UPDATE ir_cron SET nextcall = %s, numbercall = %s, lastcall = %s, active = %s WHERE id = %s',
                    (missed_call, calls_left, now, active and bool(calls_left), job_id))
    cron_cr.execute("DELETE FROM ir_cron_trigger WHERE cron_id = %s AND call_at < (now() AT TIME ZONE 'UTC')", (job_id,))


def _callback(dbname, user_id, name, action_id, job_id):
    cnx = sql_db.db_connect(dbname)
    try:
        env = api.Environment(cnx.cursor(), user_id or SUPERUSER_ID, {})
        _logger.info('Starting job `%s`.', name)
        started = time.time()
        env['ir.actions.server'].browse(action_id).run()
        cnx.commit()
        _logger.info('Job done: `%s` (%.3fs).', name, time.time() - started)
    except Exception:
        cnx.rollback()
        _logger.exception('Call from cron %s for server action #%s failed in Job #%s', name, action_id, job_id)
    finally:
        cnx.close()
