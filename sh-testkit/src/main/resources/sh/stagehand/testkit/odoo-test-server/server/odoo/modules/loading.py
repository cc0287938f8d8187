"""Installing, updating and loading the modules of a database, as Odoo's odoo/modules/loading.py.

The steps and log lines are Odoo 17's:
  init db (a new database) -> load `base` -> `updating modules list` -> mark the -i modules (with
  their dependencies and the auto_install modules) 'to install' and the -u modules (with the
  modules depending on them) 'to upgrade' -> load every module of the database in dependency order
  ('loading N modules...', 'Loading module X (i/N)') -> 'Modules loaded.'
Loading a module imports its Python package as odoo.addons.<name>; installing or updating it
also runs its pre_init_hook(env), data and demo files (`.sql` ones are executed, the others only
checked to exist), migration scripts, post_init_hook(env) and, with --test-enable, its
at_install tests. Unlike Odoo, which commits after each module, the whole run is one
transaction, committed by the caller: a failed install or update leaves the database as it was.
"""

import logging
import os
import time

from .. import SUPERUSER_ID, api, sql_db
from ..exceptions import UserError
from . import db, migration, module as modmod

_logger = logging.getLogger(__name__)
_registry_logger = logging.getLogger('odoo.modules.registry')
_ir_module_logger = logging.getLogger('odoo.addons.base.models.ir_module')
_manifest_logger = logging.getLogger('odoo.modules.module')

INSTALLED_STATES = ('installed', 'to upgrade', 'to install')


class Package:
    """A module of the database being loaded: its ir_module_module row and its manifest."""

    def __init__(self, row, manifest):
        self.id, self.name, self.state, self.installed_version, self.dbdemo = row
        self.manifest = manifest
        self.depends = [d for d in manifest['depends'] if d != self.name]
        if self.name != 'base' and 'base' not in self.depends:
            self.depends.append('base')          # every module loads after base
        self.depth = None


class Loader:
    """One load of one database on one connection; `run()` raises when the load fails."""

    def __init__(self, cnx, init=(), update=(), without_demo=False, test_enable=False, test_report=None):
        self.cnx = cnx
        self.cr = cnx.cursor()
        self.env = api.Environment(self.cr, SUPERUSER_ID, {})
        self.dbname = cnx.info.dbname
        self.init, self.update = list(init), list(update)
        self.without_demo = without_demo
        self.test_enable = test_enable
        self.report = test_report
        self.broken = {}            # module name -> ManifestError, for manifests that cannot be read
        self.processed = []         # modules installed or updated by this run
        self.loaded = []            # modules loaded by this run
        self.upgraded = []          # packages updated by this run, for their end-migration scripts

    # -- the steps ------------------------------------------------------------------------------

    def run(self):
        """Load the database; return False when it is not initialized and nothing asks to."""
        cr = self.cr
        update_module = bool(self.init or self.update)
        if not db.is_initialized(cr):
            if not update_module:
                _logger.error('Database %s not initialized, you can force it with `-i base`', self.dbname)
                return False
            _logger.info('init db')
            db.initialize(cr)
            self.update_list()
            cr.execute("UPDATE ir_module_module SET state = 'to install', demo = %s WHERE name = 'base'",
                       (not self.without_demo,))
            update_module = True        # then the auto_install modules (web) are installed too
        if 'base' in self.update or 'all' in self.update:
            cr.execute("UPDATE ir_module_module SET state = 'to upgrade' WHERE name = 'base' AND state = 'installed'")

        # STEP 1: base, which every other module needs
        if not modmod.get_module_path('base'):
            _logger.critical('module base cannot be loaded! (hint: verify addons-path)')
            raise ImportError('Module `base` cannot be loaded! (hint: verify addons-path)')
        self.load_graph(self.graph(only=['base']))

        # STEP 2: mark the modules to install and to update
        if update_module:
            _logger.info('updating modules list')
            self.update_list()
            self.check_module_names(self.init + self.update)
            self.mark_install(self.init)
            self.mark_upgrade(self.update)
            self.mark_auto_install()

        # STEP 3: load every module of the database, installing and updating the marked ones
        self.load_graph(self.graph(), skip={'base'})
        cr.execute("SELECT name FROM ir_module_module WHERE state IN ('to install', 'to upgrade', 'to remove')")
        pending = sorted(name for (name,) in cr.fetchall())
        if pending:
            _logger.error('Some modules have inconsistent states, some dependencies may be missing: %s', pending)
        cr.execute("SELECT name FROM ir_module_module WHERE state = 'installed'")
        missing = sorted(name for (name,) in cr.fetchall() if name not in self.loaded)
        if missing:
            _logger.error('Some modules are not loaded, some dependencies or manifest may be missing: %s', missing)

        # STEP 4: end-migration scripts of the updated modules
        for pkg in self.upgraded:
            migration.migrate_module(cr, pkg.name, pkg.installed_version, pkg.manifest['version'], 'end')

        if self.report is None or self.report.wasSuccessful():
            _logger.info('Modules loaded.')
        else:
            _logger.error('At least one test failed when loading the modules.')
        return True

    def graph(self, only=None):
        """The database's modules to load, in dependency order (depth, then name), as Odoo's Graph."""
        cr = self.cr
        cr.execute('SELECT id, name, state, latest_version, demo FROM ir_module_module WHERE state IN %s'
                   + (' AND name IN %s' if only else ''), (INSTALLED_STATES, tuple(only)) if only else (INSTALLED_STATES,))
        packages = {}
        for row in cr.fetchall():
            name = row[1]
            if not modmod.get_module_path(name):
                continue            # reported as "not loaded" after loading
            packages[name] = Package(row, self.manifest(name))

        # Leave out, as Odoo does, the modules whose dependencies are not all there.
        unmet, changed = set(), True
        while changed:
            changed = False
            for pkg in packages.values():
                if pkg.name not in unmet and any(d not in packages or d in unmet for d in pkg.depends):
                    _logger.info('module %s: Unmet dependencies: %s', pkg.name,
                                 ', '.join(d for d in pkg.depends if d not in packages or d in unmet))
                    unmet.add(pkg.name)
                    changed = True

        def depth(pkg, chain=()):
            if pkg.name in chain:
                raise UserError('Circular dependencies between modules: %s'
                                % ' -> '.join(chain[chain.index(pkg.name):] + (pkg.name,)))
            if pkg.depth is None:
                pkg.depth = 1 + max([depth(packages[d], chain + (pkg.name,)) for d in pkg.depends] or [-1])
            return pkg.depth

        loadable = [p for p in packages.values() if p.name not in unmet]
        return sorted(loadable, key=lambda p: (depth(p), p.name))

    def load_graph(self, packages, skip=()):
        count = len(packages)
        _logger.info('loading %d modules...', count)
        t0, q0 = time.time(), sql_db.sql_counter
        for index, pkg in enumerate(packages, 1):
            if pkg.name not in skip:
                self.load_package(pkg, index, count)
        _logger.log(25, '%s modules loaded in %.2fs, %s queries (+%s extra)',
                    count, time.time() - t0, sql_db.sql_counter - q0, 0)

    def load_package(self, pkg, index, count):
        cr, env, name, manifest = self.cr, self.env, pkg.name, pkg.manifest
        needs_update = pkg.state in ('to install', 'to upgrade')
        level = logging.INFO if needs_update else logging.DEBUG
        _logger.log(level, 'Loading module %s (%d/%d)', name, index, count)
        t0, q0 = time.time(), sql_db.sql_counter
        test_time = test_queries = 0

        if pkg.state == 'to upgrade':
            migration.migrate_module(cr, name, pkg.installed_version, manifest['version'], 'pre')
        py_module = modmod.load_openerp_module(name)
        new_install = pkg.state == 'to install'
        if new_install and manifest['pre_init_hook']:
            getattr(py_module, manifest['pre_init_hook'])(env)

        if needs_update:
            _registry_logger.info('module %s: creating or updating database tables', name)
            core_data = getattr(py_module, '_test_server_data', None)   # the built-in addons' records
            if core_data:
                core_data(env)
            self.load_data(pkg, 'data')
            # A new module gets demo data when its dependencies have it (base: unless
            # --without-demo at the database's creation); an updated one reloads it.
            demo = bool(pkg.dbdemo and not (new_install and self.without_demo))
            if demo:
                _logger.info('Module %s: loading demo', name)
                core_demo = getattr(py_module, '_test_server_demo', None)
                if core_demo:
                    core_demo(env)
                self.load_data(pkg, 'demo')
            cr.execute('UPDATE ir_module_module SET demo = %s WHERE id = %s', (demo, pkg.id))
            if pkg.state == 'to upgrade':
                migration.migrate_module(cr, name, pkg.installed_version, manifest['version'], 'post')
                self.upgraded.append(pkg)
            if new_install and manifest['post_init_hook']:
                getattr(py_module, manifest['post_init_hook'])(env)

            if self.test_enable:
                from ..tests import loader     # late: odoo.tests imports this package
                suite = loader.make_suite([name], 'at_install')
                if suite.countTestCases():
                    tt0, tq0 = time.time(), sql_db.sql_counter
                    self.report.update(loader.run_suite(suite, self.cnx))
                    test_time, test_queries = time.time() - tt0, sql_db.sql_counter - tq0

            cr.execute("UPDATE ir_module_module SET state = 'installed', latest_version = %s, "
                       "write_date = now() AT TIME ZONE 'UTC' WHERE id = %s", (manifest['version'], pkg.id))
            pkg.state = 'installed'
            self.processed.append(name)
        self.loaded.append(name)

        if test_time:
            _logger.log(level, 'Module %s loaded in %.2fs (incl. %.2fs test), %s queries (+%s test, +%s other)',
                        name, time.time() - t0, test_time, sql_db.sql_counter - q0 - test_queries, test_queries, 0)
        else:
            _logger.log(level, 'Module %s loaded in %.2fs, %s queries', name, time.time() - t0, sql_db.sql_counter - q0)

    def load_data(self, pkg, kind):
        """Log each data/demo file as Odoo does; run `.sql` files, check that the others exist."""
        keys = ('data', 'init_xml', 'update_xml') if kind == 'data' else ('demo', 'demo_xml')
        path = modmod.get_module_path(pkg.name)
        for key in keys:
            for filename in pkg.manifest.get(key) or []:
                _logger.info('loading %s/%s', pkg.name, filename)
                full = os.path.join(path, filename)
                if not os.path.isfile(full):
                    raise FileNotFoundError('File not found: %s/%s' % (pkg.name, filename))
                if filename.endswith('.sql'):
                    with open(full, encoding='utf-8') as f:
                        self.cr.execute(f.read())

    # -- ir.module.module ------------------------------------------------------------------------

    def manifest(self, name):
        """The manifest of a module the run needs; an unreadable one is an ERROR and fails the run."""
        if name in self.broken:
            _manifest_logger.error('%s', self.broken[name])
            raise modmod.ManifestError(str(self.broken[name])) from None
        try:
            return modmod.get_manifest(name)
        except modmod.ManifestError as e:
            _manifest_logger.error('%s', e)
            raise

    def rows(self):
        self.cr.execute('SELECT name, id, state, demo FROM ir_module_module')
        return {name: (mid, state, demo) for name, mid, state, demo in self.cr.fetchall()}

    def update_list(self):
        """Add a row for every module on the addons path and refresh the descriptive columns."""
        cr = self.cr
        known = self.rows()
        for name in modmod.get_modules():
            try:
                terp = modmod.get_manifest(name)
            except modmod.ManifestError as e:
                # Odoo skips an unreadable manifest here; the test server reports it when the
                # module is asked for (-i, -u, a dependency).
                _manifest_logger.debug('%s', e)
                self.broken[name] = e
                if name not in known:
                    cr.execute("INSERT INTO ir_module_module (name, state) VALUES (%s, 'uninstallable')", (name,))
                continue
            values = (db.translated(terp['name']), db.translated(terp['summary']), terp['author'], terp['license'],
                      terp['website'], terp['sequence'], bool(terp['application']), bool(terp['auto_install']))
            if name in known:
                mid, state, _ = known[name]
                if state == 'uninstallable' and terp['installable']:
                    state = 'uninstalled'
                elif state == 'uninstalled' and not terp['installable']:
                    state = 'uninstallable'
                cr.execute('UPDATE ir_module_module SET shortdesc = %s, summary = %s, author = %s, license = %s, '
                           'website = %s, sequence = %s, application = %s, auto_install = %s, state = %s '
                           'WHERE id = %s', values + (state, mid))
            else:
                cr.execute('INSERT INTO ir_module_module (shortdesc, summary, author, license, website, sequence, '
                           'application, auto_install, name, state) '
                           'VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id',
                           values + (name, 'uninstalled' if terp['installable'] else 'uninstallable'))
                mid = cr.fetchone()[0]
            cr.execute('DELETE FROM ir_module_module_dependency WHERE module_id = %s', (mid,))
            auto = terp['auto_install'] or set()
            for dep in terp['depends']:
                cr.execute('INSERT INTO ir_module_module_dependency (module_id, name, auto_install_required) '
                           'VALUES (%s, %s, %s)', (mid, dep, dep in auto))

    def check_module_names(self, names):
        known = self.rows()
        invalid = [n for n in names if n not in known and n != 'all']
        if invalid:
            _logger.warning('invalid module names, ignored: %s', ', '.join(invalid))

    def mark_install(self, names):
        """Mark modules 'to install' with their dependencies (Odoo's button_install)."""
        rows = self.rows()
        base_demo = rows.get('base', (None, None, False))[2]
        marked, visiting = [], set()

        def visit(name, requester=None):
            row = rows.get(name)
            if row is None or (row[1] == 'uninstallable' and name not in self.broken):
                if requester:
                    raise UserError('You try to install module %r that depends on module %r.\n'
                                    'But the latter module is not available in your system.' % (requester, name))
                if row is not None:
                    _logger.warning('module %s: not installable, skipped', name)
                return False
            mid, state, demo = row
            if state != 'uninstalled' and name not in self.broken:
                return demo
            if name in visiting:
                return demo
            visiting.add(name)
            manifest = self.manifest(name)            # raises on a broken manifest
            dep_demo = [visit(dep, name) for dep in manifest['depends']]
            demo = bool(base_demo or any(dep_demo))
            self.cr.execute("UPDATE ir_module_module SET state = 'to install', demo = %s WHERE id = %s", (demo, mid))
            rows[name] = (mid, 'to install', demo)
            marked.append(name)
            return demo

        for name in names:
            if name != 'all':
                visit(name)
        if marked:
            _ir_module_logger.info('ALLOW access to module.button_install on %s to user __system__ #1 via n/a',
                                   sorted(marked))

    def mark_upgrade(self, names):
        """Mark installed modules 'to upgrade', with the installed modules that depend on them
        (Odoo's button_upgrade); their new dependencies are installed."""
        rows = self.rows()
        installed = {n for n, (_, state, _) in rows.items() if state == 'installed'}
        todo = set(installed) if 'all' in names else {n for n in names if n in installed}
        if not todo:
            return
        self.cr.execute('SELECT m.name, d.name FROM ir_module_module_dependency d '
                        'JOIN ir_module_module m ON m.id = d.module_id')
        dependents = {}
        for mod, dep in self.cr.fetchall():
            dependents.setdefault(dep, set()).add(mod)
        stack = list(todo)
        while stack:
            for mod in dependents.get(stack.pop(), ()):
                if mod in installed and mod not in todo:
                    todo.add(mod)
                    stack.append(mod)
        self.cr.execute("UPDATE ir_module_module SET state = 'to upgrade' WHERE name IN %s", (tuple(todo),))
        _ir_module_logger.info('ALLOW access to module.button_upgrade on %s to user __system__ #1 via n/a', sorted(todo))
        new_deps = {d for m in todo for d in self.manifest(m)['depends'] if rows.get(d, (0, ''))[1] == 'uninstalled'}
        self.mark_install(sorted(new_deps))

    def mark_auto_install(self):
        """Install every module whose auto_install dependencies are all installed or to install."""
        while True:
            rows = self.rows()
            present = {n for n, (_, state, _) in rows.items() if state in INSTALLED_STATES}
            todo = []
            for name, (_, state, _) in rows.items():
                if state != 'uninstalled' or name in self.broken:
                    continue
                auto = modmod.get_manifest(name)['auto_install']
                if auto is not False and set(auto) <= present:
                    todo.append(name)
            if not todo:
                return
            self.mark_install(sorted(todo))
