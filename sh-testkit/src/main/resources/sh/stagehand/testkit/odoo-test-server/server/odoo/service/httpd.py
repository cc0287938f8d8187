"""The HTTP service: the few routes a hosting platform looks at, served as Odoo 17 serves them.

    GET /web/health                 200 {"status": "pass"}
    GET /web/login                  200 a login form naming the database (303 to the selector when
                                    no single database is served)
    GET /web/database/selector      200 the database list; 404 with --no-database-list
    POST /web/webclient/version_info  JSON-RPC result with the server version
    GET /, /web                     303 redirects, as Odoo
Databases served: those of the configured user that --db-filter matches (%h and %d substituted
with the request's host), else those named by -d; a request has a database when exactly one is
served or when its `db` parameter names one. Each request is logged as Odoo's werkzeug lines.
"""

import html
import json
import logging
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

from .. import release, sql_db
from ..tools import config

_logger = logging.getLogger('odoo.http')
_werkzeug_logger = logging.getLogger('werkzeug')


def db_list(host):
    """Odoo's http.db_list + db_filter."""
    try:
        dbs = sql_db.list_dbs()
    except Exception:
        _logger.warning('Could not list the databases', exc_info=True)
        return []
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


def _page(title, body):
    return ('<!DOCTYPE html>\n<html lang="en-US">\n<head><meta charset="utf-8"/><title>%s | Odoo</title></head>\n'
            '<body>\n<p class="o_test_server">%s</p>\n%s\n</body>\n</html>\n'
            % (html.escape(title), html.escape(release.TEST_SERVER_BANNER), body)).encode()


def _is_neutralized(dbname):
    try:
        with sql_db.cursor(dbname) as cr:
            cr.execute("SELECT value FROM ir_config_parameter WHERE key = 'database.is_neutralized'")
            row = cr.fetchone()
            return bool(row and row[0].lower() == 'true')
    except Exception:
        return False


def login_page(dbname, error=None):
    banner = ('<div class="o_database_neutralized alert alert-warning">This database is neutralized.</div>\n'
              if _is_neutralized(dbname) else '')
    alert = '<p class="alert alert-danger" role="alert">%s</p>\n' % html.escape(error) if error else ''
    form = ('%s<form class="oe_login_form" role="form" action="/web/login" method="post">\n'
            '<div class="mb-3 field-db"><label for="db" class="col-form-label">Database</label>\n'
            '<input type="text" name="db" id="db" class="form-control" value="%s" readonly="readonly"/></div>\n'
            '<div class="mb-3 field-login"><label for="login" class="form-label">Email</label>\n'
            '<input type="text" name="login" id="login" class="form-control" required="required" autofocus="autofocus"/></div>\n'
            '<div class="mb-3 field-password"><label for="password" class="form-label">Password</label>\n'
            '<input type="password" name="password" id="password" class="form-control" required="required"/></div>\n'
            '%s<div class="clearfix oe_login_buttons"><button type="submit" class="btn btn-primary">Log in</button></div>\n'
            '</form>' % (banner, html.escape(dbname), alert))
    return _page('Login', form)


class RequestHandler(BaseHTTPRequestHandler):
    server_version = 'Werkzeug/2.0.2'
    sys_version = 'Python/3.11'

    def do_GET(self):
        self._dispatch()

    def do_HEAD(self):
        self._dispatch(send_body=False)

    def do_POST(self):
        self._dispatch()

    def _dispatch(self, send_body=True):
        thread = threading.current_thread()
        thread.query_count, thread.query_time, thread.perf_t0 = 0, 0.0, time.time()
        url = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if self.command == 'POST':
            length = int(self.headers.get('Content-Length') or 0)
            data = self.rfile.read(length) if length else b''
            if 'application/x-www-form-urlencoded' in (self.headers.get('Content-Type') or ''):
                params.update({k: v[-1] for k, v in parse_qs(data.decode('utf-8', 'replace')).items()})
        dbs = db_list(self.headers.get('Host'))
        dbname = params.get('db') if params.get('db') in dbs else (dbs[0] if len(dbs) == 1 else None)
        thread.dbname = dbname or '?'
        try:
            status, headers, body = self.route(url.path, dbname, dbs, params)
        except Exception:
            _logger.exception('Exception during request handling.')
            status, headers, body = 500, {}, _page('Internal Server Error', '<h1>Internal Server Error</h1>')
        self.send_response(status)
        headers.setdefault('Content-Type', 'text/html; charset=utf-8')
        headers['Content-Length'] = str(len(body))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def route(self, path, dbname, dbs, params):
        if path == '/web/health':
            return 200, {'Content-Type': 'application/json'}, json.dumps({'status': 'pass'}).encode()
        if path == '/web/webclient/version_info':
            result = {'server_version': release.version, 'server_version_info': list(release.version_info),
                      'server_serie': release.serie, 'protocol_version': 1}
            return 200, {'Content-Type': 'application/json'}, json.dumps(
                {'jsonrpc': '2.0', 'id': None, 'result': result}).encode()
        if path in ('/web/database/selector', '/web/database/manager'):
            if not config['list_db']:
                return 404, {}, _page('Not Found', '<h1>Not Found</h1>')
            items = ''.join('<li><a href="/web?db=%s">%s</a></li>' % (quote(db), html.escape(db)) for db in dbs)
            return 200, {}, _page('Odoo', '<ul class="list-group o_database_list">%s</ul>' % items)
        if path == '/':
            return 303, {'Location': '/web'}, b''
        if path == '/web':
            return 303, {'Location': '/web/login?redirect=%2Fweb%3F'}, b''
        if path == '/web/login':
            if not dbname:
                return 303, {'Location': '/web/database/selector'}, b''
            error = 'Wrong login/password' if self.command == 'POST' else None
            return 200, {}, login_page(dbname, error)
        return 404, {}, _page('Not Found', '<h1>Not Found</h1><p>The requested URL was not found on the server.</p>')

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
