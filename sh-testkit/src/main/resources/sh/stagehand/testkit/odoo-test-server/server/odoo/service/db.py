"""The database manager's operations, as Odoo 17's odoo/service/db.py.

dump_db(name, stream, 'zip') writes Odoo's backup zip: `dump.sql` first (plain `pg_dump
--no-owner`), then `manifest.json` (dump_db_manifest), then `filestore/...`; 'dump' writes
`pg_dump --no-owner --format=c`. restore_db(name, file, copy, neutralize_database) creates the
database, restores a zip (dump.sql with psql, the filestore moved into place; manifest.json not
read) or a custom-format dump (pg_restore), gives a copy new identifiers, neutralizes on request.
pg_dump, psql and pg_restore come from the PATH (or --pg_path), with PGHOST, PGPORT, PGUSER and
PGPASSWORD from the db_* options. With --no-database-list every one of them is refused
(check_db_management_enabled), as in Odoo.
"""

import datetime
import functools
import json
import logging
import os
import shutil
import subprocess
import tempfile
import uuid
import zipfile

from .. import release, sql_db
from ..exceptions import AccessDenied
from ..modules import neutralize
from ..tools import config

_logger = logging.getLogger(__name__)


def check_db_management_enabled(method):
    @functools.wraps(method)
    def check(*args, **kwargs):
        if not config['list_db']:
            _logger.error('Database management functions blocked, admin disabled database listing')
            raise AccessDenied()
        return method(*args, **kwargs)
    return check


def check_super(password):
    if password and password == config['admin_passwd']:
        return True
    raise AccessDenied()


def find_pg_tool(name):
    path = shutil.which(name, path=config['pg_path'] or None)
    if not path:
        raise Exception('Command `%s` not found.' % name)
    return path


def exec_pg_environ():
    env = os.environ.copy()
    for variable, option in (('PGHOST', 'db_host'), ('PGPORT', 'db_port'), ('PGUSER', 'db_user'), ('PGPASSWORD', 'db_password')):
        if config[option]:
            env[variable] = str(config[option])
    return env


def list_dbs(force=False):
    if not config['list_db'] and not force:
        raise AccessDenied()
    return sql_db.list_dbs()


def exp_db_exist(name):
    with sql_db.cursor('postgres') as cr:
        cr.execute('SELECT 1 FROM pg_database WHERE datname = %s', (name,))
        return bool(cr.fetchone())


@check_db_management_enabled
def dump_db_manifest(cr):
    pg_version = '%d.%d' % divmod(cr.connection.server_version / 100, 100)
    cr.execute("SELECT name, latest_version FROM ir_module_module WHERE state = 'installed'")
    modules = dict(cr.fetchall())
    return {
        'odoo_dump': '1',
        'db_name': cr.dbname,
        'version': release.version,
        'version_info': list(release.version_info),
        'major_version': release.major_version,
        'pg_version': pg_version,
        'modules': modules,
    }


@check_db_management_enabled
def dump_db(db_name, stream, backup_format='zip'):
    """Write the backup of `db_name` to `stream` (a file object), or return a temporary file holding it."""
    _logger.info('DUMP DB: %s format %s', db_name, backup_format)
    cmd = [find_pg_tool('pg_dump'), '--no-owner', db_name]
    env = exec_pg_environ()
    if backup_format == 'zip':
        with tempfile.TemporaryDirectory() as dump_dir:
            filestore = config.filestore(db_name)
            if os.path.exists(filestore):
                shutil.copytree(filestore, os.path.join(dump_dir, 'filestore'))
            with open(os.path.join(dump_dir, 'manifest.json'), 'w') as fh:
                with sql_db.cursor(db_name) as cr:
                    json.dump(dump_db_manifest(cr), fh, indent=4)
            cmd.insert(-1, '--file=' + os.path.join(dump_dir, 'dump.sql'))
            subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, check=True)
            if stream:
                zip_dir(dump_dir, stream)
            else:
                t = tempfile.TemporaryFile()
                zip_dir(dump_dir, t)
                t.seek(0)
                return t
    else:
        cmd.insert(-1, '--format=c')
        with subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE) as process:
            if stream:
                shutil.copyfileobj(process.stdout, stream)
            else:
                t = tempfile.TemporaryFile()
                shutil.copyfileobj(process.stdout, t)
                t.seek(0)
                return t


def zip_dir(path, stream):
    """Odoo's zip_dir(include_dir=False, fnct_sort=lambda f: f != 'dump.sql'): files only,
    dump.sql first, deflated, without .pyc/.pyo/.swp/.DS_Store."""
    path = os.path.normpath(path)
    with zipfile.ZipFile(stream, 'w', compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zipf:
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames.sort()
            for fname in sorted(filenames, key=lambda f: f != 'dump.sql'):
                if os.path.splitext(fname)[1] not in ('.pyc', '.pyo', '.swp') and fname != '.DS_Store':
                    full = os.path.join(dirpath, fname)
                    zipf.write(full, os.path.relpath(full, path))


def _new_identifiers(cr):
    """As ir.config_parameter.init(force=True): a copy is another database, with identifiers of its own."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M:%S')
    for key, value in (('database.secret', str(uuid.uuid4())), ('database.uuid', str(uuid.uuid1())),
                       ('database.create_date', now)):
        cr.execute('INSERT INTO ir_config_parameter (key, value) VALUES (%s, %s) '
                   'ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', (key, value))


def _create_empty_database(name):
    sql_db.create_empty_database(name)
    with sql_db.cursor(name) as cr:
        cr.execute('GRANT CREATE ON SCHEMA PUBLIC TO PUBLIC')


@check_db_management_enabled
def restore_db(db, dump_file, copy=False, neutralize_database=False):
    assert isinstance(db, str)
    if exp_db_exist(db):
        _logger.warning('RESTORE DB: %s already exists', db)
        raise Exception('Database already exists')
    _logger.info('RESTORING DB: %s', db)
    _create_empty_database(db)
    filestore_path = None
    with tempfile.TemporaryDirectory() as dump_dir:
        if zipfile.is_zipfile(dump_file):
            with zipfile.ZipFile(dump_file, 'r') as z:
                # only extract known members!
                filestore = [m for m in z.namelist() if m.startswith('filestore/')]
                z.extractall(dump_dir, ['dump.sql'] + filestore)
                if filestore:
                    filestore_path = os.path.join(dump_dir, 'filestore')
            pg_cmd = 'psql'
            pg_args = ['-q', '-f', os.path.join(dump_dir, 'dump.sql')]
        else:
            pg_cmd = 'pg_restore'
            pg_args = ['--no-owner', dump_file]
        r = subprocess.run([find_pg_tool(pg_cmd), '--dbname=' + db, *pg_args], env=exec_pg_environ(),
                           stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            raise Exception("Couldn't restore database")
        with sql_db.cursor(db) as cr:
            if copy:
                _new_identifiers(cr)
            if neutralize_database:
                neutralize.neutralize_database(cr)
            if filestore_path:
                filestore_dest = config.filestore(db)
                shutil.move(filestore_path, filestore_dest)
    # Odoo loads the restored database's registry (Registry.new): a running server then serves it and runs its crons.
    from . import server
    if server.serving:
        server.ensure_registry(db)
    _logger.info('RESTORE DB: %s', db)


@check_db_management_enabled
def exp_duplicate_database(db_original_name, db_name, neutralize_database=False):
    _logger.info('Duplicate database `%s` to `%s`.', db_original_name, db_name)
    sql_db.create_empty_database(db_name, template=db_original_name)
    from_fs = config.filestore(db_original_name)
    to_fs = config.filestore(db_name)
    with sql_db.cursor(db_name) as cr:
        _new_identifiers(cr)
        if neutralize_database:
            neutralize.neutralize_database(cr)
    if os.path.exists(from_fs) and not os.path.exists(to_fs):
        shutil.copytree(from_fs, to_fs)
    return True


@check_db_management_enabled
def exp_rename(old_name, new_name):
    from . import server
    server.forget_registry(old_name)
    with sql_db.cursor('postgres') as cr:
        cr.connection.autocommit = True
        cr.execute('ALTER DATABASE "%s" RENAME TO "%s"' % (old_name.replace('"', '""'), new_name.replace('"', '""')))
        _logger.info('RENAME DB: %s -> %s', old_name, new_name)
    old_fs, new_fs = config.filestore(old_name), config.filestore(new_name)
    if os.path.exists(old_fs) and not os.path.exists(new_fs):
        shutil.move(old_fs, new_fs)
    return True


@check_db_management_enabled
def exp_drop(db_name):
    if not exp_db_exist(db_name):
        return False
    from . import server
    server.forget_registry(db_name)
    with sql_db.cursor('postgres') as cr:
        cr.connection.autocommit = True
        cr.execute('DROP DATABASE "%s" WITH (FORCE)' % db_name.replace('"', '""'))
        _logger.info('DROP DB: %s', db_name)
    fs = config.filestore(db_name)
    if os.path.exists(fs):
        shutil.rmtree(fs)
    return True
