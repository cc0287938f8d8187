"""Command-line options and configuration file, as Odoo's odoo/tools/config.py.

Odoo parses its options with optparse: an unknown option prints the usage and
`odoo-bin: error: no such option: --foo` and exits with code 2. Values come from, lowest first:
the defaults, the configuration file (`-c FILE`, else $ODOO_RC, else ~/.odoorc), the command line.
Option names (`dest`) and configuration keys are Odoo's own, so `config['db_host']` works as there.
Options listed as "accepted" in the README are parsed and ignored: the platform may pass them.
"""

import configparser
import optparse
import os

from .. import release

LOG_LEVELS = ['info', 'debug_rpc', 'warn', 'test', 'critical', 'runbot', 'debug_sql', 'error',
              'debug', 'debug_rpc_answer', 'notset']

DEFAULTS = {
    'config': None, 'db_name': False, 'db_host': False, 'db_port': False, 'db_user': False,
    'db_password': False, 'db_sslmode': 'prefer', 'db_maxconn': 64, 'db_template': 'template0',
    'pg_path': '', 'init': '', 'update': '', 'without_demo': False, 'demo': {},
    'test_enable': False, 'test_tags': None, 'test_file': '', 'stop_after_init': False,
    'addons_path': '', 'upgrade_path': '', 'data_dir': os.path.expanduser('~/.local/share/Odoo'),
    'dbfilter': '', 'list_db': True, 'http_enable': True, 'http_interface': '', 'http_port': 8069,
    'gevent_port': 8072, 'proxy_mode': False, 'x_sendfile': False,
    'smtp_server': 'localhost', 'smtp_port': 25, 'smtp_ssl': False, 'smtp_user': False,
    'smtp_password': False, 'email_from': False, 'from_filter': False,
    'smtp_ssl_certificate_filename': False, 'smtp_ssl_private_key_filename': False,
    'max_cron_threads': 2, 'limit_time_real_cron': -1, 'workers': 0,
    'limit_memory_soft': 2048 * 1024 * 1024, 'limit_memory_hard': 2560 * 1024 * 1024,
    'limit_time_cpu': 60, 'limit_time_real': 120, 'limit_request': 65536,
    'log_level': 'info', 'logfile': '', 'log_handler': [], 'log_db': False, 'log_db_level': 'warning',
    'syslog': False, 'pidfile': '', 'server_wide_modules': 'base,web', 'load_language': None,
    'language': None, 'overwrite_existing_translations': False, 'unaccent': False, 'dev_mode': [],
    'shell_interface': None, 'osv_memory_count_limit': 0, 'transient_age_limit': 1.0,
    'geoip_city_db': '', 'geoip_country_db': '', 'screencasts': '', 'screenshots': '/tmp/odoo_tests',
    'admin_passwd': 'admin', 'csv_internal_sep': ',', 'reportgz': False, 'websocket_keep_alive_timeout': 3600,
    'websocket_rate_limit_burst': 10, 'websocket_rate_limit_delay': 0.2,
}
INT_KEYS = {'db_port', 'db_maxconn', 'http_port', 'gevent_port', 'smtp_port', 'max_cron_threads', 'workers',
            'limit_memory_soft', 'limit_memory_hard', 'limit_time_cpu', 'limit_time_real',
            'limit_request', 'limit_time_real_cron', 'osv_memory_count_limit'}


def _is_addons_dir(path):
    """Odoo's rule: a directory holding at least one module (a folder with __init__.py and a manifest)."""
    for name in os.listdir(path):
        mod = os.path.join(path, name)
        if os.path.isfile(os.path.join(mod, '__init__.py')) and os.path.isfile(os.path.join(mod, '__manifest__.py')):
            return True
    return False


def _check_addons_path(option, opt, value, parser):
    paths = []
    for path in value.split(','):
        path = path.strip()
        if not path:
            continue
        res = os.path.abspath(os.path.expanduser(path))
        if not os.path.isdir(res):
            raise optparse.OptionValueError("option %s: no such directory: %r" % (opt, res))
        if not _is_addons_dir(res):
            raise optparse.OptionValueError("option %s: the path %r is not a valid addons directory" % (opt, path))
        paths.append(res)
    setattr(parser.values, option.dest, ','.join(paths))


def _build_parser(prog):
    p = optparse.OptionParser(prog=prog, usage='%prog [options]',
                              version='%s %s' % (release.description, release.version))
    group = optparse.OptionGroup(p, 'Common options')
    g = group.add_option
    g('-c', '--config', dest='config', help='specify alternate config file')
    g('-s', '--save', action='store_true', dest='save', help='save configuration (not supported: ignored)')
    g('-i', '--init', dest='init', help='install one or more modules (comma-separated list, use "all" for all modules)')
    g('-u', '--update', dest='update', help='update one or more modules (comma-separated list, use "all" for all modules)')
    g('--without-demo', dest='without_demo', help='disable loading demo data for modules to be installed ("all" or a list)')
    g('-P', '--import-partial', dest='import_partial', help='accepted, ignored')
    g('--pidfile', dest='pidfile', help='file where the server pid will be stored')
    g('--addons-path', dest='addons_path', type='string', action='callback', callback=_check_addons_path,
      help='comma-separated list of addons directories')
    g('--upgrade-path', dest='upgrade_path', help='accepted, ignored')
    g('--load', dest='server_wide_modules', help='accepted, ignored')
    g('-D', '--data-dir', dest='data_dir', help='directory where to store Odoo data (the filestore)')
    p.add_option_group(group)

    group = optparse.OptionGroup(p, 'HTTP Service Configuration')
    g = group.add_option
    g('--http-interface', dest='http_interface', help='listen on this interface (default all)')
    g('-p', '--http-port', '--xmlrpc-port', dest='http_port', type='int', help='listen on this port (default 8069)')
    g('--gevent-port', '--longpolling-port', dest='gevent_port', type='int', help='accepted, ignored')
    g('--no-http', dest='http_enable', action='store_false', help='disable the HTTP service')
    g('--proxy-mode', dest='proxy_mode', action='store_true', help='accepted, ignored')
    g('--x-sendfile', dest='x_sendfile', action='store_true', help='accepted, ignored')
    p.add_option_group(group)

    group = optparse.OptionGroup(p, 'Web interface Configuration')
    group.add_option('--db-filter', dest='dbfilter', help='regular expression filtering the databases served')
    p.add_option_group(group)

    group = optparse.OptionGroup(p, 'Testing Configuration')
    g = group.add_option
    g('--test-file', dest='test_file', help='accepted, ignored')
    g('--test-enable', dest='test_enable', action='store_true', help='run the tests of installed/updated modules')
    g('--test-tags', dest='test_tags', help='[-][tag][/module][:class][.method], comma-separated; implies --test-enable')
    g('--screencasts', dest='screencasts', help='accepted, ignored')
    g('--screenshots', dest='screenshots', help='accepted, ignored')
    p.add_option_group(group)

    group = optparse.OptionGroup(p, 'Logging Configuration')
    g = group.add_option
    g('--logfile', dest='logfile', help='file where the server log will be stored')
    g('--syslog', dest='syslog', action='store_true', help='accepted, ignored')
    g('--log-handler', dest='log_handler', action='append', metavar='PREFIX:LEVEL',
      help='setup a handler at LEVEL for a given PREFIX, e.g. odoo.addons.mymod:DEBUG')
    g('--log-web', dest='log_handler', action='append_const', const='odoo.http:DEBUG')
    g('--log-sql', dest='log_handler', action='append_const', const='odoo.sql_db:DEBUG')
    g('--log-db', dest='log_db', help='accepted, ignored')
    g('--log-db-level', dest='log_db_level', help='accepted, ignored')
    g('--log-level', dest='log_level', type='choice', choices=LOG_LEVELS,
      help='one of %s' % ', '.join(LOG_LEVELS))
    p.add_option_group(group)

    group = optparse.OptionGroup(p, 'SMTP Configuration')
    g = group.add_option
    g('--email-from', dest='email_from', help='default From address of outgoing mail')
    g('--from-filter', dest='from_filter', help='accepted, ignored')
    g('--smtp', dest='smtp_server', help='SMTP server host')
    g('--smtp-port', dest='smtp_port', type='int', help='SMTP port')
    g('--smtp-ssl', dest='smtp_ssl', action='store_true', help='not supported by the test server: refused at send')
    g('--smtp-user', dest='smtp_user', help='SMTP user (login only when set)')
    g('--smtp-password', dest='smtp_password', help='SMTP password')
    g('--smtp-ssl-certificate-filename', dest='smtp_ssl_certificate_filename', help='accepted, ignored')
    g('--smtp-ssl-private-key-filename', dest='smtp_ssl_private_key_filename', help='accepted, ignored')
    p.add_option_group(group)

    group = optparse.OptionGroup(p, 'Database related options')
    g = group.add_option
    g('-d', '--database', dest='db_name', help='database name(s), comma-separated')
    g('-r', '--db_user', dest='db_user', help='database user name')
    g('-w', '--db_password', dest='db_password', help='database password')
    g('--pg_path', dest='pg_path', help='where pg_dump, psql and pg_restore are (default: the PATH)')
    g('--db_host', dest='db_host', help='database server address')
    g('--db_port', dest='db_port', type='int', help='database server port')
    g('--db_sslmode', dest='db_sslmode', type='choice',
      choices=['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'], help='database ssl mode')
    g('--db_maxconn', dest='db_maxconn', type='int', help='accepted, ignored')
    g('--db_maxconn_gevent', dest='db_maxconn_gevent', type='int', help='accepted, ignored')
    g('--db-template', dest='db_template', help='template used when the server creates a database')
    p.add_option_group(group)

    group = optparse.OptionGroup(p, 'Internationalisation options')
    g = group.add_option
    g('--load-language', dest='load_language', help='accepted, ignored')
    g('-l', '--language', dest='language', help='accepted, ignored')
    g('--i18n-overwrite', dest='overwrite_existing_translations', action='store_true', help='accepted, ignored')
    p.add_option_group(group)

    group = optparse.OptionGroup(p, 'Security-related options')
    group.add_option('--no-database-list', dest='list_db', action='store_false',
                     help='do not list the databases (/web/database/selector answers 404)')
    p.add_option_group(group)

    group = optparse.OptionGroup(p, 'Advanced options')
    g = group.add_option
    g('--dev', dest='dev_mode', help='accepted, ignored')
    g('--shell-interface', dest='shell_interface', help='accepted, ignored')
    g('--stop-after-init', dest='stop_after_init', action='store_true', help='stop the server after its initialization')
    g('--osv-memory-count-limit', dest='osv_memory_count_limit', type='int', help='accepted, ignored')
    g('--transient-age-limit', dest='transient_age_limit', type='float', help='accepted, ignored')
    g('--max-cron-threads', dest='max_cron_threads', type='int', help='cron workers (0: no cron)')
    g('--limit-time-real-cron', dest='limit_time_real_cron', type='int', help='accepted, ignored')
    g('--unaccent', dest='unaccent', action='store_true', help='create the unaccent extension in new databases')
    g('--geoip-city-db', '--geoip-db', dest='geoip_city_db', help='accepted, ignored')
    g('--geoip-country-db', dest='geoip_country_db', help='accepted, ignored')
    p.add_option_group(group)

    group = optparse.OptionGroup(p, 'Multiprocessing options (accepted; the test server always runs threaded)')
    g = group.add_option
    g('--workers', dest='workers', type='int')
    g('--limit-memory-soft', dest='limit_memory_soft', type='int')
    g('--limit-memory-hard', dest='limit_memory_hard', type='int')
    g('--limit-time-cpu', dest='limit_time_cpu', type='int')
    g('--limit-time-real', dest='limit_time_real', type='int')
    g('--limit-request', dest='limit_request', type='int')
    p.add_option_group(group)
    return p


class configmanager:
    """Odoo's `odoo.tools.config`: a dict-like view of the options."""

    def __init__(self):
        self.options = dict(DEFAULTS)
        self.rcfile = None
        self.parser = _build_parser('odoo-bin')

    def parse_config(self, args=None, prog='odoo-bin'):
        self.parser.prog = prog
        opt, rest = self.parser.parse_args(args or [])
        if rest:
            self.parser.error('unrecognized parameters: %s' % ' '.join(rest))
        self.options = dict(DEFAULTS)

        rcfile = opt.config or os.environ.get('ODOO_RC') or os.environ.get('OPENERP_SERVER') \
            or os.path.expanduser('~/.odoorc')
        self.rcfile = os.path.abspath(rcfile)
        self._load_file(self.rcfile, explicit=bool(opt.config))

        for key, value in vars(opt).items():
            if value is not None and key not in ('config', 'save'):
                self.options[key] = value

        self._normalise()
        return opt

    def _load_file(self, path, explicit):
        parser = configparser.RawConfigParser()
        try:
            with open(path, encoding='utf-8') as f:
                parser.read_file(f)
        except FileNotFoundError:
            if explicit:
                self.parser.error('config file %r not found' % path)
            return
        if not parser.has_section('options'):
            return
        for name, value in parser.items('options'):
            if value in ('True', 'true'):
                value = True
            elif value in ('False', 'false'):
                value = False
            elif value == 'None':
                value = None
            self.options[name] = value

    def _normalise(self):
        o = self.options
        for key in INT_KEYS:
            if o.get(key) not in (None, False, ''):
                o[key] = int(o[key])
        o['addons_path'] = ','.join(os.path.abspath(os.path.expanduser(p.strip()))
                                    for p in (o['addons_path'] or '').split(',') if p.strip())
        o['data_dir'] = os.path.abspath(os.path.expanduser(o['data_dir'] or DEFAULTS['data_dir']))
        # -i/-u become ordered module lists (Odoo keeps dicts {name: 1}).
        o['init'] = _names(o['init'])
        o['update'] = _names(o['update'])
        if o['test_tags']:
            o['test_enable'] = True      # --test-tags implies --test-enable
        elif o['test_enable']:
            o['test_tags'] = '+standard'
        if isinstance(o['log_handler'], str):
            o['log_handler'] = [o['log_handler']]

    # dict-like access, as `odoo.tools.config[...]`
    def __getitem__(self, key):
        return self.options[key]

    def __setitem__(self, key, value):
        self.options[key] = value

    def get(self, key, default=None):
        return self.options.get(key, default)

    @property
    def session_dir(self):
        """<data_dir>/sessions, created (0700) whenever it is asked for, as Odoo's."""
        d = os.path.join(self['data_dir'], 'sessions')
        os.makedirs(d, 0o700, exist_ok=True)
        return d

    def filestore(self, dbname):
        return os.path.join(self['data_dir'], 'filestore', dbname)

    @property
    def addons_data_dir(self):
        """<data_dir>/addons/17.0, created (read-only) when missing, as Odoo does."""
        add_dir = os.path.join(self['data_dir'], 'addons')
        path = os.path.join(add_dir, release.series)
        if not os.path.exists(path):
            try:
                os.makedirs(add_dir, 0o700, exist_ok=True)
                os.makedirs(path, 0o500)
            except OSError:
                pass
        return path


def _names(value):
    if not value:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [n.strip() for n in str(value).split(',') if n.strip()]


config = configmanager()
