"""The HTTP service: the routes a hosting platform and its users touch, answered as Odoo 17 answers.

    GET  /web/health                  200 {"status": "pass"}, Cache-Control: no-store, no session
    GET  /web/login                   the login form (a database field only when the database list
                                      is enabled and holds more than one; the "neutralized" banner when
                                      the web.neutralize_banner view is active)
    POST /web/login                   CSRF-checked; "Wrong login/password", or 303 to /web with a new session
    POST /web/session/authenticate    JSON-RPC {db, login, password} -> session info, or Odoo's error
    GET  /web/session/logout          the session logged out (rotated: its file removed), 303 to `redirect`
    POST /web/webclient/version_info  JSON-RPC -> the server version
    GET  /web/database/manager|selector  the database list; "disabled by the administrator" with
                                      --no-database-list
    POST /web/database/backup         master_pwd, name, backup_format=zip|dump -> the backup
    POST /web/database/restore        master_pwd, backup_file, name, copy, neutralize_database -> 303
    GET  /, /web                      303 redirects, as Odoo
    GET  /websocket[?version=17.0-1]  in a database where `bus` is installed: Odoo 17's websocket (the
                                      handshake's 101, 400 or 426, then the bus; odoo.addons.bus.websocket)
    GET  /websocket/health            there too: 200 {"status": "pass"}, Cache-Control: no-store, no session
Databases: those of the configured user that --db-filter matches (%h and %d substituted with the
request's host), else those named by -d; a request's database is its session's, its `db`
parameter's, or the only one. Sessions are files in <data_dir>/sessions (service.sessions), the
`session_id` cookie names them. Each request is logged as Odoo's werkzeug lines. A websocket
upgrade is answered in HTTP/1.1 (as Odoo's RequestHandler does) and the connection then served in
the request's thread.
"""

import datetime
import email.parser
import email.policy
import hashlib
import hmac
import html
import json
import logging
import os
import re
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

from .. import release, sql_db
from ..exceptions import AccessDenied, AccessError
from ..tools import config
from . import db as db_service, security
from .sessions import FilesystemSessionStore

_logger = logging.getLogger('odoo.http')
_werkzeug_logger = logging.getLogger('werkzeug')
_database_logger = logging.getLogger('odoo.addons.web.controllers.database')

SESSION_LIFETIME = 7 * 24 * 3600
NO_SESSION_PATHS = ('/web/health', '/websocket/health')     # save_session=False routes
NEUTRALIZE_BANNER = 'Database neutralized for testing: no emails sent, etc.'
session_store = FilesystemSessionStore()


def db_list(host):
    """Odoo's http.db_list(force=True) + db_filter."""
    try:
        dbs = sql_db.list_dbs()
    except Exception:
        _logger.warning('Could not list the databases', exc_info=True)
        return []
    return db_filter(dbs, host)


def db_filter(dbs, host):
    if config['dbfilter']:
        h = (host or '').partition(':')[0]
        if h.startswith('www.'):
            h = h[4:]
        d = h.partition('.')[0]
        pattern = config['dbfilter'].replace('%h', re.escape(h)).replace('%d', re.escape(d))
        return [db for db in dbs if re.match(pattern, db)]
    if config['db_name']:
        exposed = {db.strip() for db in config['db_name'].split(',')}
        return sorted(exposed.intersection(dbs))
    return dbs


def _page(title, body, head=''):
    return ('<!DOCTYPE html>\n<html lang="en-US">\n<head><meta charset="utf-8"/><title>%s | Odoo</title>%s</head>\n'
            '<body>\n%s<p class="o_test_server">%s</p>\n</body>\n</html>\n'
            % (html.escape(title), head, body, html.escape(release.TEST_SERVER_BANNER))).encode()


def _neutralize_banner(dbname):
    """web.layout's banner, shown when the web.neutralize_banner view is active (Odoo 17)."""
    if not dbname:
        return ''
    try:
        with sql_db.cursor(dbname) as cr:
            cr.execute("SELECT active FROM ir_ui_view WHERE key = 'web.neutralize_banner'")
            row = cr.fetchone()
    except Exception:
        return ''
    if not (row and row[0]):
        return ''
    return ('<div><span id="oe_neutralize_banner" style="text-align: center; color: #FFFFFF; background-color: #D0442C; '
            'font-size: 16px;">%s</span></div>\n' % html.escape(NEUTRALIZE_BANNER))


def _database_secret(dbname):
    with sql_db.cursor(dbname) as cr:
        cr.execute("SELECT value FROM ir_config_parameter WHERE key = 'database.secret'")
        row = cr.fetchone()
        return row[0] if row else ''


def csrf_token(session, dbname):
    """Odoo's request.csrf_token(): an HMAC of the session id and an expiry, keyed by the database secret."""
    max_ts = str(int(time.time() + 365 * 24 * 3600))
    signed = hmac.new(_database_secret(dbname).encode(), (session.sid + max_ts).encode(), hashlib.sha1).hexdigest()
    return '%so%s' % (signed, max_ts)


def validate_csrf(token, session, dbname):
    if not token or 'o' not in token:
        return False
    signed, _, max_ts = token.rpartition('o')
    if not max_ts.isdigit() or int(max_ts) < time.time():
        return False
    expected = hmac.new(_database_secret(dbname).encode(), (session.sid + max_ts).encode(), hashlib.sha1).hexdigest()
    return hmac.compare_digest(signed, expected)


def authenticate(dbname, login, password):
    """The user's id when the login and password are right (Odoo also accepts a plaintext password)."""
    with sql_db.cursor(dbname) as cr:
        cr.execute('SELECT id, password FROM res_users WHERE login = %s AND active', (login,))
        row = cr.fetchone()
    if not row or not password or row[1] != password:
        raise AccessDenied()
    return row[0]


def session_token(dbname, uid, sid):
    with sql_db.cursor(dbname) as cr:
        return security.compute_session_token(cr, uid, sid)


def session_info(session, dbname):
    with sql_db.cursor(dbname) as cr:
        cr.execute('SELECT u.login, p.name, u.partner_id, u.company_id FROM res_users u JOIN res_partner p '
                   'ON p.id = u.partner_id WHERE u.id = %s', (session['uid'],))
        login, name, partner_id, company_id = cr.fetchone()
    return {'uid': session['uid'], 'is_system': session['uid'] in (1, 2), 'is_admin': session['uid'] in (1, 2),
            'user_context': {'lang': 'en_US', 'tz': False, 'uid': session['uid']}, 'db': dbname,
            'server_version': release.version, 'server_version_info': list(release.version_info),
            'name': name, 'username': login, 'partner_id': partner_id, 'company_id': company_id,
            'web.base.url': 'http://localhost:8069'}


def login_page(dbname, databases, session, error=None, login=''):
    """web.login as Odoo 17 renders it."""
    database_field = ''
    if databases and len(databases) > 1:
        database_field = ('<div class="mb-3 field-db"><label for="db" class="col-form-label">Database</label>\n'
                          '<div class="input-group"><input type="text" name="db" value="%s" id="db" class="form-control" '
                          'required="required" readonly="readonly"/>\n<a role="button" href="/web/database/selector" '
                          'class="btn btn-secondary">Select <i class="fa fa-database" role="img" aria-label="Database" '
                          'title="Database"></i></a></div></div>\n' % html.escape(dbname))
    alert = '<p class="alert alert-danger" role="alert">%s</p>\n' % html.escape(error) if error else ''
    manage = ('' if not config['list_db'] else
              '<div class="text-center small mt-4 pt-3 border-top"><a class="border-end pe-2 me-1" '
              'href="/web/database/manager">Manage Databases</a></div>\n')
    form = ('%s<form class="oe_login_form" role="form" action="/web/login" method="post" onsubmit="this.action = '
            '\'/web/login\' + location.hash">\n<input type="hidden" name="csrf_token" value="%s"/>\n%s'
            '<div class="mb-3 field-login"><label for="login" class="form-label">Email</label>\n'
            '<input type="text" placeholder="Email" name="login" value="%s" id="login" class="form-control" '
            'required="required" autocapitalize="off" autocomplete="username"/></div>\n'
            '<div class="mb-3"><label for="password" class="form-label">Password</label>\n'
            '<input type="password" placeholder="Password" name="password" id="password" class="form-control" '
            'required="required" autocomplete="current-password" maxlength="4096"/></div>\n'
            '%s<div class="clearfix oe_login_buttons text-center gap-1 d-grid mb-1 pt-3">'
            '<button type="submit" class="btn btn-primary">Log in</button></div>\n'
            '<input type="hidden" name="redirect"/>\n</form>\n%s'
            % (_neutralize_banner(dbname), csrf_token(session, dbname), database_field, html.escape(login or ''), alert, manage))
    return _page('Login', form)


def manager_page(dbs, error=None):
    alert = '<div class="alert alert-danger">%s</div>\n' % html.escape(error) if error else ''
    if not config['list_db']:
        return _page('Odoo', alert + '<div class="alert alert-danger text-center">The database manager has been disabled '
                                     'by the administrator</div>\n')
    items = ''.join('<li><a href="/web?db=%s">%s</a></li>' % (quote(db), html.escape(db)) for db in dbs)
    return _page('Odoo', alert + '<ul class="list-group o_database_list">%s</ul>\n' % items)


def _str2bool(value):
    return str(value).lower() not in ('', '0', 'false', 'off', 'none')


class RequestHandler(BaseHTTPRequestHandler):
    server_version = 'Werkzeug/2.0.2'
    sys_version = 'Python/3.11'
    upgraded = None         # what serves the connection once a 101 is written
    save_session = True     # False for an answer Odoo gives from its error path (no post_dispatch)

    def do_GET(self):
        self._dispatch()

    def do_HEAD(self):
        self._dispatch(send_body=False)

    def do_POST(self):
        self._dispatch()

    def _read_body(self):
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length else b''

    def _params(self, url):
        params = {k: v[-1] for k, v in parse_qs(url.query).items()}
        files = {}
        if self.command == 'POST':
            content_type = self.headers.get('Content-Type') or ''
            body = self._read_body()
            if content_type.startswith('application/x-www-form-urlencoded'):
                params.update({k: v[-1] for k, v in parse_qs(body.decode('utf-8', 'replace'), keep_blank_values=True).items()})
            elif content_type.startswith('multipart/form-data'):
                message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                    b'Content-Type: ' + content_type.encode() + b'\r\n\r\n' + body)
                for part in message.iter_parts():
                    name = part.get_param('name', header='content-disposition')
                    if part.get_filename() is not None:
                        files[name] = part.get_payload(decode=True)
                    else:
                        params[name] = part.get_payload(decode=True).decode('utf-8', 'replace')
            elif content_type.startswith('application/json'):
                try:
                    params['__json__'] = json.loads(body or b'{}')
                except ValueError:
                    params['__json__'] = None
        return params, files

    def _dispatch(self, send_body=True):
        thread = threading.current_thread()
        thread.query_count, thread.query_time, thread.perf_t0 = 0, 0.0, time.time()
        url = urlsplit(self.path)
        params, files = self._params(url)
        dbs = db_list(self.headers.get('Host'))
        session = None
        if url.path not in NO_SESSION_PATHS:      # save_session=False there: no session at all
            cookie_sid = self._cookie('session_id')
            session = session_store.get(cookie_sid)
        dbname = None
        if session is not None and session.get('db') in dbs:
            dbname = session['db']
        elif params.get('db') in dbs:
            dbname = params['db']
        elif len(dbs) == 1:
            dbname = dbs[0]
        thread.dbname = dbname or '?'
        try:
            if dbname and url.path not in NO_SESSION_PATHS:
                from . import server
                server.ensure_registry(dbname)
            status, headers, body = self.route(url.path, dbname, dbs, params, files, session)
        except AccessDenied:
            status, headers, body = 403, {}, _page('Forbidden', '<h1>Forbidden</h1><p>Access Denied</p>')
        except Exception:
            _logger.exception('Exception during request handling.')
            status, headers, body = 500, {}, _page('Internal Server Error', '<h1>Internal Server Error</h1>')
        if session is not None and dbname and session.get('db') != dbname:
            session['db'] = dbname
        if session is not None and (session.dirty or session.sid != self._cookie('session_id')) and session.get('db') \
                and self.save_session:
            try:
                session_store.save(session)
                expires = (datetime.datetime.utcnow() + datetime.timedelta(days=365)).strftime('%a, %d %b %Y %H:%M:%S GMT')
                headers['Set-Cookie'] = 'session_id=%s; Expires=%s; Max-Age=%d; HttpOnly; Path=/' % (session.sid, expires, SESSION_LIFETIME)
            except OSError as e:
                # As Odoo 17: the session is saved in the dispatcher's post_dispatch, uncaught, so the
                # request fails as any other exception fails it (handle_error), and no cookie is set.
                _logger.exception('Exception during request handling.')
                status, headers, body = self.error_response(params, e)
        upgrade = self.headers.get('Upgrade') == 'websocket'
        if upgrade:
            # As Odoo's RequestHandler: HTTP/1.1 (browsers refuse an upgrade in 1.0), no
            # `Connection: close` header, and no further request on the connection.
            self.protocol_version = 'HTTP/1.1'
        self.send_response(status)
        headers.setdefault('Content-Type', 'text/html; charset=utf-8')
        if upgrade:
            self.close_connection = True
        else:
            # One request per connection (HTTP/1.0), said out loud so that no client reuses it.
            headers['Connection'] = 'close'
        if not hasattr(body, 'read') and status >= 200:
            headers['Content-Length'] = str(len(body))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            if hasattr(body, 'read'):
                with body:
                    while chunk := body.read(65536):
                        self.wfile.write(chunk)
            else:
                self.wfile.write(body)
        if status == 101 and self.upgraded:
            self.upgraded()

    def _cookie(self, name):
        for part in (self.headers.get('Cookie') or '').split(';'):
            key, _, value = part.strip().partition('=')
            if key == name:
                return value
        return None

    def route(self, path, dbname, dbs, params, files, session):
        if path == '/web/health':
            return self.health(params)
        if path == '/web/webclient/version_info':
            result = {'server_version': release.version, 'server_version_info': list(release.version_info),
                      'server_serie': release.serie, 'protocol_version': 1}
            return self.json_result(params, result)
        if path == '/web/session/authenticate':
            return self.authenticate(params, dbs, session)
        if path == '/web/session/logout':
            return self.logout(params, session)
        if path in ('/websocket', '/websocket/health') and self._bus_installed(dbname):
            return self.websocket(path, dbname, session, params)
        if path in ('/web/database/selector', '/web/database/manager') and self.command == 'GET':
            return 200, {}, manager_page(dbs)
        if path == '/web/database/backup' and self.command == 'POST':
            return self.backup(params)
        if path == '/web/database/restore' and self.command == 'POST':
            return self.restore(params, files)
        if path == '/':
            return 303, {'Location': '/web'}, b''
        if path == '/web':
            if session is not None and session.get('uid') and dbname:
                return 200, {}, _page('Odoo', _neutralize_banner(dbname) + '<div class="o_web_client">The test server has no web client.</div>\n')
            return 303, {'Location': '/web/login?redirect=%2Fweb%3F'}, b''
        if path == '/web/login':
            return self.login(dbname, params, session)
        return 404, {}, _page('Not Found', '<h1>Not Found</h1><p>The requested URL was not found on the server.</p>')

    @staticmethod
    def health(params):
        info, status = {'status': 'pass'}, 200
        if params.get('db_server_status'):
            try:
                with sql_db.cursor('postgres') as cr:
                    cr.execute('SELECT 1')
                info['db_server_status'] = True
            except Exception:
                info, status = {'status': 'fail', 'db_server_status': False}, 500
        return status, {'Content-Type': 'application/json', 'Cache-Control': 'no-store'}, json.dumps(info).encode()

    def login(self, dbname, params, session):
        if not dbname:
            return 303, {'Location': '/web/database/selector'}, b''
        headers = {'X-Frame-Options': 'SAMEORIGIN', 'Content-Security-Policy': "frame-ancestors 'self'", 'Cache-Control': 'no-cache'}
        databases = db_list(self.headers.get('Host')) if config['list_db'] else None
        if self.command == 'POST':
            if not validate_csrf(params.get('csrf_token'), session, dbname):
                return 400, {}, _page('Bad Request', '<h1>Bad Request</h1><p>Session expired (invalid CSRF token)</p>')
            try:
                uid = authenticate(dbname, params.get('login'), params.get('password'))
            except AccessDenied:
                return 200, headers, login_page(dbname, databases, session, 'Wrong login/password', params.get('login'))
            session_store.rotate(session)
            session.update(db=dbname, uid=uid, login=params.get('login'), session_token=session_token(dbname, uid, session.sid))
            session.dirty = True
            return 303, {'Location': params.get('redirect') or '/web'}, b''
        return 200, headers, login_page(dbname, databases, session)

    def authenticate(self, params, dbs, session):
        request = params.get('__json__') or {}
        args = request.get('params') or {}
        try:
            db = args.get('db')
            if not isinstance(db, str) or not db_filter([db], self.headers.get('Host')) or db not in dbs:
                raise AccessError('Database not found.')
            uid = authenticate(db, args.get('login'), args.get('password'))
            session_store.rotate(session)
            session.update(db=db, uid=uid, login=args.get('login'), session_token=session_token(db, uid, session.sid))
            session.dirty = True
            return self.json_result(params, session_info(session, db))
        except (AccessError, AccessDenied) as e:
            error = {'code': 200, 'message': 'Odoo Server Error',
                     'data': {'name': 'odoo.exceptions.%s' % type(e).__name__, 'debug': '', 'message': str(e),
                              'arguments': list(e.args), 'context': {}}}
            return 200, {'Content-Type': 'application/json'}, json.dumps(
                {'jsonrpc': '2.0', 'id': request.get('id'), 'error': error}).encode()

    @staticmethod
    def logout(params, session):
        """Odoo's /web/session/logout: the session logged out, keeping its database, and rotated
        (its file removed, a new id), then 303 to the local `redirect` (/web)."""
        session.logout(keep_db=True)
        session_store.rotate(session)
        target = urlsplit(params.get('redirect') or '/web')
        location = '/' + (target.path + ('?' + target.query if target.query else '')).lstrip('/\\')
        return 303, {'Location': location}, b''

    @staticmethod
    def _bus_installed(dbname):
        """Whether the database has `bus` loaded: its routes exist there only, as in Odoo."""
        from . import server
        return bool(dbname) and 'bus' in server.registries.get(dbname, {}).get('modules', ())

    def websocket(self, path, dbname, session, params):
        if path == '/websocket/health':
            return 200, {'Content-Type': 'application/json', 'Cache-Control': 'no-store'}, b'{"status": "pass"}'
        from odoo.addons.bus import websocket       # late: an addon of the database
        status, headers, body, self.upgraded = websocket.open_connection(self, dbname, session, params)
        self.save_session = status == 101       # a refused handshake is an HTTPException in Odoo
        return status, headers, body

    @staticmethod
    def error_response(params, exc):
        """What Odoo 17's dispatchers' handle_error answer for an unexpected exception: a JSON-RPC
        "Odoo Server Error" (HTTP 200) to a JSON request, a 500 page to an HTTP one."""
        request = params.get('__json__')
        if request is None:
            return 500, {}, _page('Internal Server Error', '<h1>Internal Server Error</h1>')
        error = {'code': 200, 'message': 'Odoo Server Error',
                 'data': {'name': '%s.%s' % (type(exc).__module__, type(exc).__name__), 'debug': '', 'message': str(exc),
                          'arguments': [str(arg) for arg in exc.args], 'context': {}}}
        return 200, {'Content-Type': 'application/json'}, json.dumps(
            {'jsonrpc': '2.0', 'id': request.get('id') if isinstance(request, dict) else None, 'error': error}).encode()

    @staticmethod
    def json_result(params, result):
        request = params.get('__json__') or {}
        return 200, {'Content-Type': 'application/json'}, json.dumps(
            {'jsonrpc': '2.0', 'id': request.get('id'), 'result': result}).encode()

    @staticmethod
    def _change_insecure_master_password(master_pwd):
        """Odoo: while the master password is the default 'admin', the first one given becomes it."""
        if config['admin_passwd'] == 'admin' and master_pwd:
            db_service.check_db_management_enabled(lambda: None)()
            config['admin_passwd'] = master_pwd

    def backup(self, params):
        master_pwd, name, backup_format = params.get('master_pwd'), params.get('name'), params.get('backup_format', 'zip')
        self._change_insecure_master_password(master_pwd)
        try:
            db_service.check_super(master_pwd)
            if backup_format not in ('zip', 'dump'):
                raise ValueError('Unknown backup format %r' % backup_format)
            filename = '%s_%s.%s' % (name, datetime.datetime.utcnow().strftime('%Y-%m-%d_%H-%M-%S'), backup_format)
            dump = db_service.dump_db(name, None, backup_format)
            return 200, {'Content-Type': 'application/octet-stream; charset=binary',
                         'Content-Disposition': "attachment; filename*=UTF-8''%s" % quote(filename)}, dump
        except Exception as e:
            _database_logger.exception('Database.backup')
            return 200, {}, manager_page([], 'Database backup error: %s' % (str(e) or repr(e)))

    def restore(self, params, files):
        master_pwd = params.get('master_pwd')
        self._change_insecure_master_password(master_pwd)
        data_file = None
        try:
            db_service.check_super(master_pwd)
            backup = files.get('backup_file')
            if backup is None:
                raise Exception('No backup_file was sent')
            with tempfile.NamedTemporaryFile(delete=False) as data_file:
                data_file.write(backup)
            # Odoo converts `copy` and passes `neutralize_database` as it comes: any value neutralizes.
            db_service.restore_db(params.get('name'), data_file.name, _str2bool(params.get('copy', False)),
                                  bool(params.get('neutralize_database')))
            return 303, {'Location': '/web/database/manager'}, b''
        except Exception as e:
            return 200, {}, manager_page([], 'Database restore error: %s' % (str(e) or repr(e)))
        finally:
            if data_file is not None:
                os.unlink(data_file.name)

    def log_request(self, code='-', size='-'):
        _werkzeug_logger.info('%s - - [%s] "%s" %s %s', self.address_string(), self.log_date_time_string(),
                              self.requestline, getattr(code, 'value', code), size)

    def log_message(self, format, *args):
        _werkzeug_logger.info('%s - - [%s] %s', self.address_string(), self.log_date_time_string(), format % args)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # socketserver would print the traceback to stderr, outside the log format.
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            _werkzeug_logger.info('%s - - connection closed by the client: %s', client_address[0], error)
        else:
            _logger.exception('Error on request from %s', client_address[0])


def make_server(interface, port):
    return Server((interface, port), RequestHandler)
