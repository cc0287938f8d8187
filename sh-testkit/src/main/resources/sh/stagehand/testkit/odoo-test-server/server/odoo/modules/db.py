"""The module tables every Odoo database starts with (odoo/modules/db.py), plus small helpers
the core addons use to write records with an external id (ir_model_data), and the filestore."""

import hashlib
import json
import os
import tempfile

from ..tools import config

# Column names follow Odoo 17, so SQL written for a real Odoo database runs here too.
MODULE_TABLES = """
CREATE TABLE ir_module_category (
    id serial PRIMARY KEY,
    create_uid integer, create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'),
    write_uid integer, write_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'),
    parent_id integer REFERENCES ir_module_category ON DELETE SET NULL,
    name jsonb NOT NULL,
    description jsonb,
    sequence integer,
    visible boolean DEFAULT true,
    exclusive boolean
);
CREATE TABLE ir_module_module (
    id serial PRIMARY KEY,
    create_uid integer, create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'),
    write_uid integer, write_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'),
    name varchar NOT NULL CONSTRAINT ir_module_module_name_uniq UNIQUE,
    state varchar(16),
    latest_version varchar,
    published_version varchar,
    demo boolean DEFAULT false,
    shortdesc jsonb,
    summary jsonb,
    author varchar,
    license varchar(32),
    website varchar,
    sequence integer DEFAULT 100,
    category_id integer REFERENCES ir_module_category ON DELETE SET NULL,
    application boolean DEFAULT false,
    auto_install boolean DEFAULT false,
    icon varchar
);
CREATE TABLE ir_module_module_dependency (
    id serial PRIMARY KEY,
    name varchar,
    module_id integer REFERENCES ir_module_module ON DELETE CASCADE,
    auto_install_required boolean DEFAULT true
);
CREATE TABLE ir_model_data (
    id serial PRIMARY KEY,
    create_uid integer, create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'),
    write_uid integer, write_date timestamp DEFAULT (now() AT TIME ZONE 'UTC'),
    noupdate boolean DEFAULT false,
    name varchar NOT NULL,
    module varchar NOT NULL,
    model varchar NOT NULL,
    res_id integer,
    CONSTRAINT ir_model_data_module_name_uniq_index UNIQUE (module, name)
);
"""


def is_initialized(cr):
    cr.execute("SELECT 1 FROM pg_class WHERE relname = 'ir_module_module' AND relkind = 'r'")
    return bool(cr.fetchone())


def initialize(cr):
    """Create the module tables and a row for every module on the addons path, as Odoo 17's
    odoo/modules/db.py initialize(): an unreadable manifest anywhere on the path raises here, and
    base with every auto_install module whose triggers follow is marked 'to install'."""
    from . import module as modmod
    cr.execute(MODULE_TABLES)
    for name in modmod.get_modules():
        if not modmod.get_module_path(name):
            continue
        # This raises for an unreadable manifest, as Odoo's does.
        info = modmod.get_manifest(name)
        if info:
            insert_module(cr, name, info)
    # Install recursively every auto_install module whose required dependencies are to be installed.
    while True:
        cr.execute("""SELECT m.name FROM ir_module_module m
                       WHERE m.auto_install AND state NOT IN ('to install', 'uninstallable')
                         AND NOT EXISTS (SELECT 1 FROM ir_module_module_dependency d
                                           JOIN ir_module_module mdep ON d.name = mdep.name
                                          WHERE d.module_id = m.id AND d.auto_install_required
                                            AND mdep.state != 'to install')""")
        to_auto_install = [name for (name,) in cr.fetchall()]
        cr.execute("""SELECT d.name FROM ir_module_module_dependency d
                        JOIN ir_module_module m ON d.module_id = m.id
                        JOIN ir_module_module mdep ON d.name = mdep.name
                       WHERE (m.state = 'to install' OR m.name = any(%s))
                         AND NOT (mdep.state = 'to install' OR mdep.name = any(%s))""", (to_auto_install, to_auto_install))
        to_auto_install.extend(name for (name,) in cr.fetchall())
        if not to_auto_install:
            break
        cr.execute("UPDATE ir_module_module SET state = 'to install' WHERE name IN %s", (tuple(to_auto_install),))


def insert_module(cr, name, info):
    """The ir_module_module row of a module ('uninstalled'), its external id and its dependencies."""
    cr.execute('INSERT INTO ir_module_module (author, website, name, shortdesc, summary, auto_install, state, '
               'license, application, sequence, category_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id',
               (info['author'], info['website'], name, translated(info['name']), translated(info['summary']),
                info['auto_install'] is not False, 'uninstalled' if info['installable'] else 'uninstallable',
                info['license'], bool(info['application']), info['sequence'], create_categories(cr, info['category'].split('/'))))
    module_id = cr.fetchone()[0]
    cr.execute('INSERT INTO ir_model_data (name, model, module, res_id, noupdate) VALUES (%s, %s, %s, %s, %s)',
               ('module_' + name, 'ir.module.module', 'base', module_id, True))
    for dependency in info['depends']:
        cr.execute('INSERT INTO ir_module_module_dependency (module_id, name, auto_install_required) '
                   'VALUES (%s, %s, %s)', (module_id, dependency, dependency in (info['auto_install'] or ())))


def create_categories(cr, categories):
    """The ir_module_category rows of a category and its parents (['Sales', 'CRM']), each found by
    its external id (module_category_sales_crm) or made, as Odoo 17's odoo/modules/db.py
    create_categories(); the id of the last."""
    parent_id = None
    path = []
    for category in categories:
        path.append(category)
        xml_id = 'module_category_' + ('_'.join(part.lower() for part in path)).replace('&', 'and').replace(' ', '_')
        cr.execute("SELECT res_id FROM ir_model_data WHERE name = %s AND module = 'base' AND model = 'ir.module.category'", (xml_id,))
        row = cr.fetchone()
        if row:
            category_id = row[0]
        else:
            cr.execute('INSERT INTO ir_module_category (name, parent_id) VALUES (%s, %s) RETURNING id', (translated(category), parent_id))
            category_id = cr.fetchone()[0]
            cr.execute("INSERT INTO ir_model_data (module, name, res_id, model, noupdate) VALUES ('base', %s, %s, 'ir.module.category', true)",
                       (xml_id, category_id))
        parent_id = category_id
    return parent_id


def translated(value):
    """Odoo 17 keeps translatable text as jsonb {"en_US": ...}."""
    return json.dumps({'en_US': value or ''})


def xmlid_to_res_id(cr, xmlid):
    module, name = xmlid.split('.', 1)
    cr.execute('SELECT res_id FROM ir_model_data WHERE module = %s AND name = %s', (module, name))
    row = cr.fetchone()
    return row and row[0]


def ensure_record(cr, xmlid, model, table, values, noupdate=False):
    """Insert a record named by `xmlid` unless it already exists (as Odoo's noupdate data); return its id."""
    res_id = xmlid_to_res_id(cr, xmlid)
    if res_id:
        return res_id
    columns = list(values)
    cr.execute('INSERT INTO %s (%s) VALUES (%s) RETURNING id'
               % (table, ', '.join(columns), ', '.join(['%s'] * len(columns))), [values[c] for c in columns])
    res_id = cr.fetchone()[0]
    module, name = xmlid.split('.', 1)
    cr.execute('INSERT INTO ir_model_data (module, name, model, res_id, noupdate) VALUES (%s, %s, %s, %s, %s)',
               (module, name, model, res_id, noupdate))
    return res_id


def filestore_write(dbname, data):
    """Store bytes content-addressed, as Odoo's ir.attachment: <data_dir>/filestore/<db>/<sha1[:2]>/<sha1>.

    A file is never rewritten in place: an existing one is kept as it is (same name, same
    content), a new one is written to a temporary file and renamed into place.
    Returns (store_fname, checksum).
    """
    checksum = hashlib.sha1(data).hexdigest()
    store_fname = '%s/%s' % (checksum[:2], checksum)
    full_path = os.path.join(config.filestore(dbname), store_fname)
    if not os.path.exists(full_path):
        os.makedirs(os.path.dirname(full_path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(full_path), prefix='.tmp-')
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
        os.chmod(tmp, 0o666 & ~_umask())        # mkstemp makes 0600; Odoo's files follow the umask
        os.replace(tmp, full_path)
    return store_fname, checksum


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def create_attachment(cr, name, data, mimetype, res_model=None, res_id=None, res_field=None, xmlid=None):
    store_fname, checksum = filestore_write(cr.dbname, data)
    values = {'name': name, 'res_model': res_model, 'res_id': res_id, 'res_field': res_field,
              'type': 'binary', 'store_fname': store_fname, 'file_size': len(data),
              'checksum': checksum, 'mimetype': mimetype, 'public': False}
    if xmlid:
        return ensure_record(cr, xmlid, 'ir.attachment', 'ir_attachment', values)
    columns = list(values)
    cr.execute('INSERT INTO ir_attachment (%s) VALUES (%s) RETURNING id'
               % (', '.join(columns), ', '.join(['%s'] * len(columns))), [values[c] for c in columns])
    return cr.fetchone()[0]
