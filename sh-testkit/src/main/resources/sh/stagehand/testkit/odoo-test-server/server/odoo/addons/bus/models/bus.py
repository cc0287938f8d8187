"""`bus.bus`, as Odoo 17's addons/bus/models/bus.py: the notifications table and its dispatcher.

`_sendone(target, notification_type, message)` writes a bus_bus row whose `channel` and `message`
are compact JSON (`["db","channel"]`, `{"type":"t","payload":{...}}`) and, once the transaction is
committed, NOTIFYs `imbus` on the `postgres` database with the JSON list of the channels (split
when longer than ODOO_NOTIFY_PAYLOAD_MAX_LENGTH, 8000 bytes; ODOO_NOTIFY_FUNCTION replaces
pg_notify). A target is read as Odoo's channel_with_db reads it: a name becomes (db, name), a
record (db, model, id), (record, name) (db, model, id, name); a tuple is taken as it is.

`dispatch` (Odoo's ImDispatch) is a thread started by the first subscription: it LISTENs on `imbus`
and wakes the websockets subscribed to the channels notified, which then `_poll` the table.
"""

import contextlib
import datetime
import json
import logging
import math
import os
import select
import threading

from psycopg2 import sql

from odoo import sql_db
from odoo.models import ImplementedModel
from odoo.service.server import ThreadedServer

_logger = logging.getLogger(__name__)

TIMEOUT = 50        # seconds: what a first poll (last = 0) returns, and the dispatcher's select
ODOO_NOTIFY_FUNCTION = os.getenv('ODOO_NOTIFY_FUNCTION', 'pg_notify')


def _notify_payload_max_length(default=8000):
    try:
        return int(os.environ.get('ODOO_NOTIFY_PAYLOAD_MAX_LENGTH', default))
    except ValueError:
        _logger.warning('ODOO_NOTIFY_PAYLOAD_MAX_LENGTH has to be an integer, defaulting to %d bytes', default)
        return default


NOTIFY_PAYLOAD_MAX_LENGTH = _notify_payload_max_length()


def json_default(value):
    """Odoo's date_utils.json_default: datetimes and dates as Odoo writes them, the rest as text."""
    if isinstance(value, datetime.datetime):
        return value.strftime('%Y-%m-%d %H:%M:%S')
    if isinstance(value, datetime.date):
        return value.strftime('%Y-%m-%d')
    return str(value)


def json_dump(value):
    return json.dumps(value, separators=(',', ':'), default=json_default)


def hashable(channel):
    return tuple(channel) if isinstance(channel, list) else channel


def channel_with_db(dbname, channel):
    if isinstance(channel, ImplementedModel):
        return (dbname, channel._name, channel.id)
    if isinstance(channel, tuple) and len(channel) == 2 and isinstance(channel[0], ImplementedModel):
        return (dbname, channel[0]._name, channel[0].id, channel[1])
    if isinstance(channel, str):
        return (dbname, channel)
    return channel


def notify_payloads(channels):
    """The NOTIFY payloads for these channels: one JSON list, halved until each fits."""
    if not channels:
        return []
    payload = json_dump(channels)
    if len(channels) == 1 or len(payload.encode()) < NOTIFY_PAYLOAD_MAX_LENGTH:
        return [payload]
    pivot = math.ceil(len(channels) / 2)
    return notify_payloads(channels[:pivot]) + notify_payloads(channels[pivot:])


class _NotifyAfterCommit:
    """A transaction's post-commit hook: NOTIFY imbus with the channels it sent notifications to."""

    def __init__(self):
        self.channels = []

    def add(self, channel):
        if channel not in self.channels:
            self.channels.append(channel)

    def __call__(self):
        payloads = notify_payloads(self.channels)
        if len(payloads) > 1:
            _logger.info("The imbus notification payload was too large, it's been split into %d payloads.", len(payloads))
        with sql_db.cursor('postgres') as cr:
            for payload in payloads:
                cr.execute(sql.SQL('SELECT {}(%s, %s)').format(sql.Identifier(ODOO_NOTIFY_FUNCTION)), ('imbus', payload))


class ImBus(ImplementedModel):
    _name = 'bus.bus'
    _table = 'bus_bus'

    def _sendmany(self, notifications):
        for notification in notifications:
            self._sendone(*notification)

    def _sendone(self, target, notification_type, message):
        channel = channel_with_db(self._cr.dbname, target)
        self._cr.execute('INSERT INTO bus_bus (channel, message, create_uid, write_uid) VALUES (%s, %s, %s, %s)',
                         (json_dump(channel), json_dump({'type': notification_type, 'payload': message}),
                          self.env.uid, self.env.uid))
        # Odoo notifies once the rows are committed: a NOTIFY before would find nothing to fetch.
        self._cr.connection.add_postcommit('bus.bus', _NotifyAfterCommit()).add(channel)

    def _poll(self, channels, last=0, ignore_ids=None):
        """The notifications of these channels after `last` (the last TIMEOUT seconds' when 0),
        those of `ignore_ids` left out, by id: [{'id': 7, 'message': {'type': .., 'payload': ..}}]."""
        channels = [json_dump(channel_with_db(self._cr.dbname, c)) for c in channels]
        if not channels:
            return []
        if last == 0:
            query = "create_date > (now() AT TIME ZONE 'UTC') - interval '%s seconds'" % TIMEOUT
            params = [tuple(channels)]
        else:
            query, params = 'id > %s', [last, tuple(channels)]
        if ignore_ids:
            query += ' AND id NOT IN %s'
            params.insert(-1, tuple(ignore_ids))
        self._cr.execute('SELECT id, message FROM bus_bus WHERE %s AND channel IN %%s ORDER BY id' % query, params)
        return [{'id': id_, 'message': json.loads(message)} for id_, message in self._cr.fetchall()]

    def _bus_last_id(self):
        self._cr.execute('SELECT max(id) FROM bus_bus')
        return self._cr.fetchone()[0] or 0


class ImDispatch(threading.Thread):
    """Relays the `imbus` notifications of PostgreSQL to the websockets subscribed to their channels."""

    def __init__(self):
        super().__init__(daemon=True, name='%s.Bus' % __name__)
        self._channels_to_ws = {}
        self._lock = threading.Lock()

    def subscribe(self, channels, last, db, websocket):
        """Subscribe the websocket to these channels (replacing its former subscription)."""
        channels = {hashable(channel_with_db(db, c)) for c in channels}
        with self._lock:
            for channel in channels:
                self._channels_to_ws.setdefault(channel, set()).add(websocket)
            self._clear_outdated_channels(websocket, websocket.channels - channels)
        websocket.subscribe(channels, last)
        with contextlib.suppress(RuntimeError):     # started by another subscription meanwhile
            if not self.is_alive():
                self.start()

    def unsubscribe(self, websocket):
        with self._lock:
            self._clear_outdated_channels(websocket, websocket.channels)

    def _clear_outdated_channels(self, websocket, channels):
        for channel in channels:
            subscribers = self._channels_to_ws.get(channel, set())
            subscribers.discard(websocket)
            if not subscribers:
                self._channels_to_ws.pop(channel, None)

    def loop(self):
        _logger.info('Bus.loop listen imbus on db postgres')
        cnx = sql_db.db_connect('postgres')
        try:
            cnx.autocommit = True
            with cnx.cursor() as cr:
                cr.execute('LISTEN imbus')
            while not stop_event.is_set():
                if not select.select([cnx], [], [], TIMEOUT)[0]:
                    continue
                cnx.poll()
                channels = []
                while cnx.notifies:
                    channels.extend(json.loads(cnx.notifies.pop().payload))
                with self._lock:
                    websockets = set().union(*(self._channels_to_ws.get(hashable(c), ()) for c in channels))
                for websocket in websockets:
                    websocket.trigger_notification_dispatching()
        finally:
            cnx.close()

    def run(self):
        while not stop_event.is_set():
            try:
                self.loop()
            except Exception:
                if stop_event.is_set():
                    return
                _logger.exception('Bus.loop error, sleep and retry')
                stop_event.wait(TIMEOUT)


dispatch = ImDispatch()
stop_event = threading.Event()
ThreadedServer.on_stop(stop_event.set)
