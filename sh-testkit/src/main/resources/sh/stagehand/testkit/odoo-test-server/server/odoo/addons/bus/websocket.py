"""Odoo 17's `/websocket` (addons/bus/websocket.py, addons/bus/controllers/websocket.py), served on
the HTTP port in the request's thread, as Odoo's threaded server serves it.

Handshake (open_connection): a request that is not an upgrade (`Connection` holding the `upgrade`
token and `Upgrade: websocket`) does not match the route: 400. Then a missing Connection, Host,
Origin, Sec-WebSocket-Key, Sec-WebSocket-Version or Upgrade header is 400 "Empty or missing
header(s): ..."; a version other than 13 is 426 with `Sec-WebSocket-Version: 13`; a key that is not
the base64 of 16 bytes is 400; each logged as ERROR. Else 101 with Sec-WebSocket-Accept, the
session saved and its cookie set (a logged-in session whose token is stale is logged out first).

Frames (Websocket._get_next_frame): client frames must be masked, reserved bits unset, control
frames whole and at most 125 bytes, a message at most MESSAGE_MAX_SIZE; more than RL_BURST frames in
RL_BURST * RL_DELAY seconds is too many. Pings are answered; after INACTIVITY_TIMEOUT seconds of
silence the server pings, and drops a connection that does not answer within 15 s; after about an
hour (websocket_keep_alive_timeout) it closes it. A close frame is answered with its own code.

Messages are JSON {"event_name": .., "data": ..}: `subscribe` and `update_presence`
(models/ir_websocket.py); anything else is logged and ignored. Notifications go out as one text
frame, a JSON list of {"id": .., "message": {"type": .., "payload": ..}}. The session is read again
from its file for each message and each dispatch of notifications: gone (logged out, deleted) or
with a stale token, the socket is closed with SESSION_EXPIRED. The server's shutdown closes every
socket with GOING_AWAY. A browser (by its User-Agent) connecting without `?version=17.0-1` is
closed with CLEAN "OUTDATED_VERSION".
"""

import base64
import binascii
import bisect
import hashlib
import html
import http
import json
import logging
import random
import re
import selectors
import socket
import struct
import threading
import time
from collections import deque
from contextlib import suppress
from enum import IntEnum
from weakref import WeakSet

from odoo import api, sql_db
from odoo.http import SessionExpiredException
from odoo.service import security
from odoo.service.server import ThreadedServer
from odoo.tools import config

from .models.bus import dispatch

_logger = logging.getLogger(__name__)


class WebsocketException(Exception):
    """Base class of the websocket's errors."""


class ConnectionClosed(WebsocketException):
    """The other end closed the socket without the closing handshake."""


class InvalidCloseCodeException(WebsocketException):
    def __init__(self, code):
        super().__init__(f'Invalid close code: {code}')


class InvalidStateException(WebsocketException):
    """An operation the connection's state forbids."""


class InvalidWebsocketRequest(WebsocketException):
    """A message that is not a valid request."""


class PayloadTooLargeException(WebsocketException):
    """A message larger than MESSAGE_MAX_SIZE."""


class ProtocolError(WebsocketException):
    """A frame that breaks RFC 6455."""


class RateLimitExceededException(Exception):
    """Frames coming faster than the rate limit allows."""


class Opcode(IntEnum):
    CONTINUE = 0x00
    TEXT = 0x01
    BINARY = 0x02
    CLOSE = 0x08
    PING = 0x09
    PONG = 0x0A


class CloseCode(IntEnum):
    CLEAN = 1000
    GOING_AWAY = 1001
    PROTOCOL_ERROR = 1002
    INCORRECT_DATA = 1003
    ABNORMAL_CLOSURE = 1006
    INCONSISTENT_DATA = 1007
    MESSAGE_VIOLATING_POLICY = 1008
    MESSAGE_TOO_BIG = 1009
    EXTENSION_NEGOTIATION_FAILED = 1010
    SERVER_ERROR = 1011
    RESTART = 1012
    TRY_LATER = 1013
    BAD_GATEWAY = 1014
    SESSION_EXPIRED = 4001
    KEEP_ALIVE_TIMEOUT = 4002


class ConnectionState(IntEnum):
    OPEN = 0
    CLOSING = 1
    CLOSED = 2


CTRL_OP = {Opcode.CLOSE, Opcode.PING, Opcode.PONG}
VALID_CLOSE_CODES = {code for code in CloseCode if code is not CloseCode.ABNORMAL_CLOSURE}
CLEAN_CLOSE_CODES = {CloseCode.CLEAN, CloseCode.GOING_AWAY, CloseCode.RESTART}
RESERVED_CLOSE_CODES = range(3000, 5000)

MESSAGE_MAX_SIZE = 2 ** 20          # bytes, in one frame or many
INACTIVITY_TIMEOUT = 60 - 15        # seconds without a frame before the server pings
RESPONSE_TIMEOUT = 15               # seconds to answer a ping or a close
MAX_NOTIFICATION_HISTORY_SEC = 10   # how long sent ids are remembered, for late commits
VERSION = '17.0-1'                  # of Odoo 17's websocket worker
HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
REQUIRED_HANDSHAKE_HEADERS = ('connection', 'host', 'sec-websocket-key', 'sec-websocket-version', 'upgrade', 'origin')
SUPPORTED_VERSIONS = ('13',)
# The browsers of the user-agent parser Odoo vendors (odoo/tools/_vendor/useragents.py).
BROWSER_RE = re.compile(r'googlebot|msnbot|yahoo|ask jeeves|aol|america\s+online\s+browser|opera|\bopr/|edge|\bedg/'
                        r'|chrome|crios|seamonkey|firefox|firebird|phoenix|iceweasel|galeon|safari|version|webkit'
                        r'|camino|konqueror|k-meleon|netscape|msie|microsoft\s+internet\s+explorer|trident/.+? rv:'
                        r'|lynx|links|baiduspider|bingbot|mozilla', re.I)

_websocket_instances = WeakSet()


def _session_store():
    from odoo.service.httpd import session_store     # late: the HTTP service imports this module
    return session_store


def encode_frame(opcode, payload=b''):
    """A server frame: final, unmasked."""
    length = len(payload)
    if length < 126:
        header = struct.pack('!BB', 0x80 | opcode, length)
    elif length < 65536:
        header = struct.pack('!BBH', 0x80 | opcode, 126, length)
    else:
        header = struct.pack('!BBQ', 0x80 | opcode, 127, length)
    return header + payload


def unmask(payload, mask):
    key = (mask * (len(payload) // 4 + 1))[:len(payload)]
    return (int.from_bytes(payload, 'big') ^ int.from_bytes(key, 'big')).to_bytes(len(payload), 'big')


def close_payload(code, reason=None):
    if code not in VALID_CLOSE_CODES and code not in RESERVED_CLOSE_CODES:
        raise InvalidCloseCodeException(code)
    return struct.pack('!H', code) + (reason.encode() if reason else b'')


class Websocket:
    """One connection: frames in and out, the closing handshake, timeouts, notifications."""

    def __init__(self, sock, session, dbname):
        self._socket = sock
        self.sid = session.sid
        self.uid = session.get('uid')
        self.context = session.get('context') or {}
        self.db = dbname
        self.state = ConnectionState.OPEN
        self.channels = set()
        self._close_sent = self._close_received = False
        self._send_lock = threading.Lock()
        # Woken (a byte written) when notifications may be waiting for it.
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_pending = False
        # Notifications sent: the last id no longer remembered, and (id, time) of those remembered.
        self._last_notif_sent_id = 0
        self._notif_history = []
        self._incoming_frame_times = deque(maxlen=int(config['websocket_rate_limit_burst']))
        self._rate_limit_delay = float(config['websocket_rate_limit_delay'])
        keep_alive = int(config['websocket_keep_alive_timeout'])
        self._opened_at = time.time()
        self._keep_alive_timeout = keep_alive + random.uniform(0, keep_alive / 2)
        self._awaited_opcode = self._awaited_since = None
        _websocket_instances.add(self)

    # -- what the server does with it ----------------------------------------------------------

    def get_messages(self):
        """Yield the messages the client sends (str for text, bytes for binary) until closed."""
        selector = selectors.DefaultSelector()
        selector.register(self._socket, selectors.EVENT_READ)
        selector.register(self._wake_r, selectors.EVENT_READ)
        try:
            while self.state is not ConnectionState.CLOSED:
                try:
                    readables = {key.fileobj for key, _ in selector.select(INACTIVITY_TIMEOUT)}
                    reason = self._timeout_reason()
                    if reason is not None:
                        self._on_timeout(reason)
                        continue
                    if not readables:
                        self._send_frame(Opcode.PING)
                        continue
                    if self._wake_r in readables:
                        self._dispatch_bus_notifications()
                    if self._socket in readables and self.state is not ConnectionState.CLOSED:
                        message = self._process_next_message()
                        if message is not None:
                            yield message
                except Exception as exc:
                    self._handle_transport_error(exc)
        finally:
            selector.close()

    def disconnect(self, code, reason=None):
        """Start the closing handshake; ABNORMAL_CLOSURE closes the socket at once."""
        if code is CloseCode.ABNORMAL_CLOSURE:
            return self._terminate()
        try:
            self._send_close_frame(code, reason)
        except OSError:
            self._terminate()

    def subscribe(self, channels, last):
        self.channels = channels
        # The client's `last` counts once: the server knows better afterwards.
        if self._last_notif_sent_id == 0:
            self._last_notif_sent_id = last
        self.trigger_notification_dispatching()

    def trigger_notification_dispatching(self):
        """Tell the connection's thread that notifications may be waiting (from any thread)."""
        if self.state is not ConnectionState.OPEN or self._wake_pending:
            return
        self._wake_pending = True
        with suppress(OSError):
            self._wake_w.send(b'x')

    # -- frames in -----------------------------------------------------------------------------

    def _recv_bytes(self, n):
        data = bytearray()
        while len(data) < n:
            received = self._socket.recv(n - len(data))
            if not received:
                raise ConnectionClosed()
            data.extend(received)
        return bytes(data)

    def _get_next_frame(self):
        self._limit_rate()
        first_byte, second_byte = self._recv_bytes(2)
        fin, rsv = first_byte & 0x80, first_byte & 0x70
        try:
            opcode = Opcode(first_byte & 0x0F)
        except ValueError as exc:
            raise ProtocolError(exc)
        length = second_byte & 0x7F
        if rsv:
            raise ProtocolError('Reserved bits must be unset')
        if not second_byte & 0x80:
            raise ProtocolError('Frame must be masked')
        if opcode in CTRL_OP:
            if not fin:
                raise ProtocolError('Control frames cannot be fragmented')
            if length > 125:
                raise ProtocolError('Control frames payload must be smaller than 126')
        if length == 126:
            length = struct.unpack('!H', self._recv_bytes(2))[0]
        elif length == 127:
            length = struct.unpack('!Q', self._recv_bytes(8))[0]
        if length > MESSAGE_MAX_SIZE:
            raise PayloadTooLargeException()
        mask = self._recv_bytes(4)
        payload = unmask(self._recv_bytes(length), mask)
        if self._awaited_opcode is opcode:
            self._awaited_opcode = self._awaited_since = None
        return opcode, payload, bool(fin)

    def _process_next_message(self):
        """The next message's content, or None for a control frame (handled here)."""
        opcode, payload, fin = self._get_next_frame()
        if opcode in CTRL_OP:
            self._handle_control_frame(opcode, payload)
            return None
        if self.state is not ConnectionState.OPEN:
            return None                 # once closing, data is discarded
        if opcode is Opcode.CONTINUE:
            raise ProtocolError('Unexpected continuation frame')
        if not fin:
            payload = self._recover_fragmented_message(payload)
            if payload is None:
                return None
        return payload.decode('utf-8') if opcode is Opcode.TEXT else payload

    def _recover_fragmented_message(self, first_payload):
        fragments = bytearray(first_payload)
        while True:
            opcode, payload, fin = self._get_next_frame()
            if opcode in CTRL_OP:       # control frames may come between fragments
                self._handle_control_frame(opcode, payload)
                if self.state is not ConnectionState.OPEN:
                    return None
                continue
            if opcode is not Opcode.CONTINUE:
                raise ProtocolError('A continuation frame was expected')
            fragments.extend(payload)
            if len(fragments) > MESSAGE_MAX_SIZE:
                raise PayloadTooLargeException()
            if fin:
                return bytes(fragments)

    def _handle_control_frame(self, opcode, payload):
        if opcode is Opcode.PING:
            self._send_frame(Opcode.PONG, payload)
        elif opcode is Opcode.CLOSE:
            self.state = ConnectionState.CLOSING
            self._close_received = True
            code, reason = CloseCode.CLEAN, None
            if len(payload) >= 2:
                code = struct.unpack('!H', payload[:2])[0]
                reason = payload[2:].decode('utf-8')
            elif payload:
                raise ProtocolError('Malformed closing frame')
            if not self._close_sent:
                self._send_close_frame(code, reason)        # the answer carries the client's code
            else:
                self._terminate()

    def _limit_rate(self):
        now = time.time()
        times = self._incoming_frame_times
        if len(times) >= times.maxlen and now - times[0] < self._rate_limit_delay * times.maxlen:
            raise RateLimitExceededException()
        times.append(now)

    # -- frames out ----------------------------------------------------------------------------

    def _send(self, message):
        if self.state is not ConnectionState.OPEN:
            raise InvalidStateException('Trying to send a frame on a closed socket')
        if isinstance(message, (bytes, bytearray)):
            self._send_frame(Opcode.BINARY, bytes(message))
        else:
            self._send_frame(Opcode.TEXT, (message if isinstance(message, str) else json.dumps(message)).encode())

    def _send_frame(self, opcode, payload=b''):
        if opcode in CTRL_OP and len(payload) > 125:
            raise ProtocolError('Control frames should have a payload length smaller than 126')
        with self._send_lock:
            self._socket.sendall(encode_frame(opcode, payload))
        if self._timeout_reason() is not None:
            return
        if opcode in (Opcode.PING, Opcode.CLOSE):
            self._awaited_opcode = Opcode.PONG if opcode is Opcode.PING else Opcode.CLOSE
        if self._awaited_opcode is not None:
            self._awaited_since = time.time()      # as Odoo: any frame sent restarts the wait

    def _send_close_frame(self, code, reason=None):
        self._send_frame(Opcode.CLOSE, close_payload(code, reason))
        self.state = ConnectionState.CLOSING
        self._close_sent = True
        # A clean close waits for the client's answer; any other, or an answer, ends it here.
        if code not in CLEAN_CLOSE_CODES or self._close_received:
            self._terminate()

    def _terminate(self):
        """Close the TCP connection (after reading what the client still sends, up to 1 s)."""
        if self.state is ConnectionState.CLOSED:
            return
        with suppress(OSError, TimeoutError):
            self._socket.shutdown(socket.SHUT_WR)
            self._socket.settimeout(1)
            while self._socket.recv(4096):
                pass
        self._socket.close()
        self.state = ConnectionState.CLOSED
        dispatch.unsubscribe(self)
        self._wake_r.close()
        self._wake_w.close()
        try:
            with sql_db.cursor(self.db) as cr:
                api.Environment(cr, self.uid, self.context)['ir.websocket']._on_websocket_closed()
        except Exception:
            _logger.warning('Error during Websocket CLOSE callback', exc_info=True)

    def _handle_transport_error(self, exc):
        """Close with the code that fits the error."""
        code, reason = CloseCode.SERVER_ERROR, str(exc)
        if isinstance(exc, (ConnectionClosed, OSError)):
            code = CloseCode.ABNORMAL_CLOSURE
        elif isinstance(exc, (ProtocolError, InvalidCloseCodeException)):
            code = CloseCode.PROTOCOL_ERROR
        elif isinstance(exc, UnicodeDecodeError):
            code = CloseCode.INCONSISTENT_DATA
        elif isinstance(exc, PayloadTooLargeException):
            code = CloseCode.MESSAGE_TOO_BIG
        elif isinstance(exc, RateLimitExceededException):
            code = CloseCode.TRY_LATER
        elif isinstance(exc, SessionExpiredException):
            code = CloseCode.SESSION_EXPIRED
        if code is CloseCode.SERVER_ERROR:
            reason = None
            _logger.error(exc, exc_info=True)
        self.disconnect(code, reason)

    # -- timeouts ------------------------------------------------------------------------------

    def _timeout_reason(self):
        """KEEP_ALIVE_TIMEOUT when open too long, ABNORMAL_CLOSURE when a ping or close went
        unanswered for RESPONSE_TIMEOUT seconds, else None."""
        now = time.time()
        if now - self._opened_at >= self._keep_alive_timeout:
            return CloseCode.KEEP_ALIVE_TIMEOUT
        if self._awaited_opcode is not None and now - self._awaited_since >= RESPONSE_TIMEOUT:
            return CloseCode.ABNORMAL_CLOSURE
        return None

    def _on_timeout(self, code):
        if self.state is ConnectionState.OPEN:
            self.disconnect(code)
        elif self._awaited_opcode is Opcode.CLOSE and code is CloseCode.ABNORMAL_CLOSURE:
            self._terminate()           # no answer to our close frame (Odoo keeps pinging it)

    # -- notifications -------------------------------------------------------------------------

    def _dispatch_bus_notifications(self):
        """Send what the subscribed channels have after the last id sent; a session that is gone
        or stale raises SessionExpiredException (closed with SESSION_EXPIRED)."""
        with suppress(OSError):
            self._wake_r.recv(4096)
        self._wake_pending = False
        if self.state is not ConnectionState.OPEN:
            return
        session = _session_store().get(self.sid)
        if session.new:
            raise SessionExpiredException()
        with sql_db.cursor(session.get('db') or self.db) as cr:
            env = api.Environment(cr, session.get('uid'), session.get('context'))
            if session.get('uid') is not None and not security.check_session(session, cr):
                raise SessionExpiredException()
            notifications = env['bus.bus']._poll(self.channels, self._last_notif_sent_id,
                                                 [n[0] for n in self._notif_history])
        if not notifications:
            return
        now = time.time()
        for notification in notifications:
            bisect.insort(self._notif_history, (notification['id'], now))
        # Forget the oldest ids past the history's age, and move the last id up to them; an id
        # may only be forgotten once every id below it has been.
        expired = 0
        while expired < len(self._notif_history) and now - self._notif_history[expired][1] > MAX_NOTIFICATION_HISTORY_SEC:
            expired += 1
        if expired:
            self._last_notif_sent_id = self._notif_history[expired - 1][0]
            del self._notif_history[:expired]
        self._send(notifications)


# -- serving -----------------------------------------------------------------------------------

def serve_websocket_message(websocket, message):
    """Odoo's WebsocketRequest.serve_websocket_message: parse, check the session, run the event."""
    try:
        request = json.loads(message)
        event_name = request['event_name']
    except KeyError as exc:
        raise InvalidWebsocketRequest(f'Key {exc.args[0]!r} is missing from request') from exc
    except ValueError as exc:
        raise InvalidWebsocketRequest(f'Invalid JSON data, {exc.args[0]}') from exc
    data = request.get('data')
    session = _session_store().get(websocket.sid)
    if session.new:
        raise SessionExpiredException()
    threading.current_thread().dbname = websocket.db
    with sql_db.cursor(websocket.db) as cr:
        ir_websocket = api.Environment(cr, session.get('uid'), session.get('context'))['ir.websocket']
        ir_websocket._authenticate(session)
        if event_name == 'subscribe':
            ir_websocket._subscribe(data, websocket)
        if event_name == 'update_presence':
            ir_websocket._update_bus_presence(**data)


def serve_forever(websocket, user_agent, version):
    """Odoo's WebsocketConnectionHandler._serve_forever, in the request's thread."""
    threading.current_thread().type = 'websocket'
    if user_agent and BROWSER_RE.search(user_agent) and version != VERSION:
        # An outdated worker of a browser: a clean close, which the worker does not retry.
        websocket.disconnect(CloseCode.CLEAN, 'OUTDATED_VERSION')
    for message in websocket.get_messages():
        try:
            serve_websocket_message(websocket, message)
        except SessionExpiredException:
            websocket.disconnect(CloseCode.SESSION_EXPIRED)
        except Exception:
            _logger.exception('Exception occurred during websocket request handling')


class HandshakeError(Exception):
    """An HTTP error answered to a handshake, as werkzeug renders its HTTPException."""

    def __init__(self, code, description, headers=None):
        self.code, self.description, self.headers = code, description, headers or {}
        super().__init__('%d %s: %s' % (code, http.HTTPStatus(code).phrase, description))

    def response(self):
        name = http.HTTPStatus(self.code).phrase
        body = ('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>%d %s</title>\n<h1>%s</h1>\n<p>%s</p>\n'
                % (self.code, name, name, html.escape(self.description, quote=False).replace('"', '&quot;')))
        return self.code, dict(self.headers), body.encode()


def is_upgrade(headers):
    """What makes werkzeug's router take a request as a websocket one (the route's websocket=True)."""
    connection = [token.strip() for token in (headers.get('Connection') or '').lower().split(',')]
    return 'upgrade' in connection and (headers.get('Upgrade') or '').lower() == 'websocket'


def assert_handshake_validity(headers):
    missing = sorted(name for name in REQUIRED_HANDSHAKE_HEADERS if headers.get(name) is None)
    if missing:
        raise HandshakeError(400, 'Empty or missing header(s): %s' % ', '.join(missing))
    if headers['upgrade'].lower() != 'websocket':
        raise HandshakeError(400, 'Invalid upgrade header')
    if 'upgrade' not in headers['connection'].lower():
        raise HandshakeError(400, 'Invalid connection header')
    if headers['sec-websocket-version'] not in SUPPORTED_VERSIONS:
        raise HandshakeError(426, 'Wrong websocket version was given during the handshake',
                             {'Sec-WebSocket-Version': '; '.join(SUPPORTED_VERSIONS)})
    try:
        key = base64.b64decode(headers['sec-websocket-key'], validate=True)
    except (binascii.Error, ValueError):
        raise HandshakeError(400, 'Sec-WebSocket-Key should be b64 encoded')
    if len(key) != 16:
        raise HandshakeError(400, 'Sec-WebSocket-Key should be of length 16 once decoded')


def open_connection(handler, dbname, session, params):
    """The answer to GET /websocket: (status, headers, body, serve), serve being, for a 101, what
    runs the connection once the answer is written."""
    headers = handler.headers
    if not is_upgrade(headers):
        # werkzeug's WebsocketMismatch: the route matches websocket requests only.
        return HandshakeError(400, 'The browser (or proxy) sent a request that this server could not understand.').response() + (None,)
    try:
        assert_handshake_validity(headers)
    except HandshakeError as exc:
        _logger.error(exc)
        return exc.response() + (None,)
    if session.get('uid') is not None:
        with sql_db.cursor(dbname) as cr:
            valid = security.check_session(session, cr)
        if not valid:       # ir.http._authenticate: logged out, then rotated with the answer
            session.logout(keep_db=True)
            _session_store().rotate(session)
    session.dirty = True    # "Session must be persisted to handle WebSocket authentication."
    accept = base64.b64encode(hashlib.sha1((headers['Sec-WebSocket-Key'] + HANDSHAKE_GUID).encode()).digest()).decode()
    answer = {'Upgrade': 'websocket', 'Connection': 'Upgrade', 'Sec-WebSocket-Accept': accept,
              'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'GET, POST',
              'X-Content-Type-Options': 'nosniff'}

    def serve():
        serve_forever(Websocket(handler.connection, session, dbname), headers.get('User-Agent'), params.get('version'))
    return 101, answer, b'', serve


def _kick_all():
    """On shutdown: close every open websocket with GOING_AWAY."""
    for websocket in list(_websocket_instances):
        if websocket.state is ConnectionState.OPEN:
            websocket.disconnect(CloseCode.GOING_AWAY)


ThreadedServer.on_stop(_kick_all)
