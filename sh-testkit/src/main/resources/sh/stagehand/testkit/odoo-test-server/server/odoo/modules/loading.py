"""Installing, updating and loading the modules of a database, as Odoo 17's odoo/modules/loading.py.

The steps, log lines and commits are Odoo 17's (load_modules, load_module_graph):
  init db (a new database: every module on the addons path gets a row, base and the auto_install
  modules are marked 'to install') -> STEP 1: load `base` -> STEP 2: `updating modules list`, mark
  the -i modules (with their dependencies and the auto_install modules; external dependencies
  checked) 'to install' and the -u modules (with the modules depending on them) 'to upgrade' ->
  STEP 3: load every module of the database in dependency order ('loading N modules...',
  'Loading module X (i/N)') -> end-migration scripts -> 'Modules loaded.'

Each module that is installed or updated runs, in order: pre-migration, import, pre_init_hook(env),
its tables and data, demo data (in a savepoint: a failure is a WARNING), post-migration,
post_init_hook(env); then the work is COMMITTED, its at_install tests run in a transaction of
their own, and only then is its state written 'installed' (committed with the next module, or at
the end). So a module that raises leaves the modules before it committed, the previous one still
marked 'to install'/'to upgrade' with its old version: the caller rolls back what is left and
resets those transient states (reset_modules_state), as Odoo's Registry.new does.
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

INSTALLED_STATES = ('installed', 'to upgrade', 'to remove', 'to install')


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
    """One load of one database on one connection; `run()` raises when the load fails, leaving the
    caller to roll back the transaction in progress and to call reset_modules_state()."""

    def __init__(self, cnx, init=(), update=(), without_demo=False, test_enable=False, test_report=None, update_module=False):
        self.cnx = cnx
        self.cr = cnx.cursor()
        self.env = api.Environment(self.cr, SUPERUSER_ID, {})
        self.dbname = cnx.info.dbname
        self.init, self.update = list(init), list(update)
        self.without_demo = without_demo
        self.test_enable = test_enable
        self.report = test_report
        self.updating = bool(self.init or self.update or update_module)
        self.processed = []         # modules installed or updated by this run
        self.loaded = []            # modules loaded by this run
        self.upgraded = []          # packages updated by this run, for their end-migration scripts

    # -- the steps ------------------------------------------------------------------------------

    def run(self):
        """Load the database; return False when it is not initialized and nothing asks to."""
        cr = self.cr
        update_module = self.updating
        if not db.is_initialized(cr):
            if not update_module:
                _logger.error('Database %s not initialized, you can force it with `-i base`', self.dbname)
                return False
            _logger.info('init db')
            db.initialize(cr)
            cr.execute("UPDATE ir_module_module SET demo = %s WHERE state = 'to install'", (not self.without_demo,))
            update_module = True        # then the auto_install modules are installed too
        if 'base' in self.update or 'all' in self.update:
            cr.execute("UPDATE ir_module_module SET state = 'to upgrade' WHERE name = 'base' AND state = 'installed'")

        # STEP 1: base, which every other module needs
        if not modmod.get_module_path('base'):
            _logger.critical('module base cannot be loaded! (hint: verify addons-path)')
            raise ImportError('Module `base` cannot be loaded! (hint: verify addons-path)')
        self.load_graph(self.graph(only=['base']))

        # STEP 2: mark the modules to install and to update (committed with the next module)
        if update_module:
            _logger.info('updating modules list')
            self.update_list()
            self.check_module_names(self.init + self.update)
            self.button_install([n for n in self.init if self.state(n) == 'uninstalled'])
            self.button_upgrade(self.update)
            cr.execute("UPDATE ir_module_module SET state = 'installed' WHERE name = 'base'")
        if self.install_new_core_dependencies():
            update_module = True

        # STEP 3: load every module of the database: first those installed (updating the marked
        # ones), then those to install, until a pass processes nothing new
        processed_before = -1
        while processed_before < len(self.processed):
            processed_before = len(self.processed)
            self.load_marked(('installed', 'to upgrade', 'to remove'))
            if update_module:
                self.load_marked(INSTALLED_STATES)
        cr.execute("SELECT name FROM ir_module_module WHERE state = 'installed'")
        missing = sorted(name for (name,) in cr.fetchall() if name not in self.loaded)
        if missing:
            _logger.error('Some modules are not loaded, some dependencies or manifest may be missing: %s', missing)

        # STEP 3.5: end-migration scripts of the updated modules
        for pkg in self.upgraded:
            migration.migrate_module(cr, pkg.name, pkg.installed_version, pkg.manifest['version'], 'end')
        cr.execute("SELECT name FROM ir_module_module WHERE state IN ('to install', 'to upgrade')")
        pending = sorted(name for (name,) in cr.fetchall())
        if pending:
            _logger.error('Some modules have inconsistent states, some dependencies may be missing: %s', pending)

        # STEP 5: uninstall the modules marked 'to remove' (button_uninstall), the last first, then
        # load the registry once more
        if update_module:
            cr.execute("SELECT name, id FROM ir_module_module WHERE state = 'to remove'")
            to_remove = dict(cr.fetchall())
            if to_remove:
                for pkg in reversed([p for p in self.graph() if p.name in to_remove]):
                    if pkg.manifest.get('uninstall_hook'):
                        py_module = modmod.load_openerp_module(pkg.name)
                        getattr(py_module, pkg.manifest['uninstall_hook'])(self.env)
                self.env['ir.module.module'].browse(list(to_remove.values())).module_uninstall()
                cr.commit()
                _logger.info('Reloading registry once more after uninstalling modules')
                return Loader(self.cnx, update_module=True).run()

        if self.report is None or self.report.wasSuccessful():
            _logger.info('Modules loaded.')
        else:
            _logger.error('At least one test failed when loading the modules.')
        return True

    def graph(self, only=None, states=INSTALLED_STATES):
        """The database's modules to load, in dependency order (depth, then name), as Odoo's Graph.
        A manifest that cannot be read raises, as it does in Odoo's graph.add_modules()."""
        cr = self.cr
        cr.execute('SELECT id, name, state, latest_version, demo FROM ir_module_module WHERE state IN %s'
                   + (' AND name IN %s' if only else ''), (states, tuple(only)) if only else (states,))
        packages = {}
        for row in cr.fetchall():
            name = row[1]
            if not modmod.get_module_path(name):
                continue            # reported as "not loaded" after loading
            packages[name] = Package(row, modmod.get_manifest(name))

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

    def load_marked(self, states):
        """Odoo's load_marked_modules: load the graph of the modules in these states (and those
        already loaded) while it brings modules not loaded yet."""
        while True:
            graph = self.graph(states=tuple(states))
            if all(pkg.name in self.loaded for pkg in graph):
                return
            processed_before = len(self.processed)
            self.load_graph(graph)
            if len(self.processed) == processed_before:
                return

    def load_graph(self, packages):
        """Odoo's load_module_graph: the count is the whole graph, modules already loaded skipped."""
        count = len(packages)
        _logger.info('loading %d modules...', count)
        t0, q0 = time.time(), sql_db.sql_counter
        for index, pkg in enumerate(packages, 1):
            if pkg.name not in self.loaded:
                self.load_package(pkg, index, count)
        _logger.log(25, '%s modules loaded in %.2fs, %s queries (+%s extra)',
                    count, time.time() - t0, sql_db.sql_counter - q0, 0)

    def load_package(self, pkg, index, count):
        cr, env, name, manifest = self.cr, self.env, pkg.name, pkg.manifest
        needs_update = pkg.state in ('to install', 'to upgrade')
        new_install = pkg.state == 'to install'
        level = logging.INFO if needs_update else logging.DEBUG
        _logger.log(level, 'Loading module %s (%d/%d)', name, index, count)
        t0, q0 = time.time(), sql_db.sql_counter

        if needs_update and not new_install:
            migration.migrate_module(cr, name, pkg.installed_version, manifest['version'], 'pre')
        py_module = modmod.load_openerp_module(name)
        if new_install and manifest['pre_init_hook']:
            getattr(py_module, manifest['pre_init_hook'])(env)

        if needs_update:
            _registry_logger.info('module %s: creating or updating database tables', name)
            core_data = getattr(py_module, '_test_server_data', None)   # the built-in addons' records
            if core_data:
                core_data(env)
            self.load_data(pkg, 'data')
            demo = self.load_demo(pkg, py_module)
            cr.execute('UPDATE ir_module_module SET demo = %s WHERE id = %s', (demo, pkg.id))
            if not new_install:
                migration.migrate_module(cr, name, pkg.installed_version, manifest['version'], 'post')
                self.upgraded.append(pkg)
            if new_install and manifest['post_init_hook']:
                getattr(py_module, manifest['post_init_hook'])(env)
            # Odoo: "need to commit any modification the module's installation or update made to
            # the schema or data so the tests can run (separately in their own transaction)"
            self.cnx.commit()

        test_time = test_queries = 0
        if self.test_enable and (needs_update or not self.updating):
            from ..tests import loader     # late: odoo.tests imports this package
            suite = loader.make_suite([name], 'at_install')
            if suite.countTestCases():
                tt0, tq0 = time.time(), sql_db.sql_counter
                result = loader.run_suite(suite, self.dbname)
                self.report.update(result)
                test_time, test_queries = time.time() - tt0, sql_db.sql_counter - tq0
                if not result.wasSuccessful():
                    _logger.error('Module %s: %d failures, %d errors of %d tests', name,
                                  result.failures_count, result.errors_count, result.testsRun)

        if needs_update:
            # Not committed here: the next module's commit, or the end of the load, keeps it.
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

    def load_demo(self, pkg, py_module):
        """Odoo's load_demo: a new module gets demo data when its row says so (base: unless
        --without-demo at the database's creation; others: when their dependencies have it);
        loaded in a savepoint, a failure is a WARNING and the module is installed without it."""
        if not pkg.dbdemo:
            return False
        try:
            _logger.info('Module %s: loading demo', pkg.name)
            with self.cr.savepoint():
                core_demo = getattr(py_module, '_test_server_demo', None)
                if core_demo:
                    core_demo(self.env)
                self.load_data(pkg, 'demo')
            return True
        except Exception:
            _logger.warning('Module %s demo data failed to install, installed without demo data', pkg.name, exc_info=True)
            return False

    def load_data(self, pkg, kind):
        """Log each data/demo file as Odoo does; run `.sql` files, check that the others exist."""
        keys = ('init_xml', 'update_xml', 'data') if kind == 'data' else ('demo_xml', 'demo')
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

    def rows(self):
        self.cr.execute('SELECT name, id, state, demo FROM ir_module_module')
        return {name: (mid, state, demo) for name, mid, state, demo in self.cr.fetchall()}

    def state(self, name):
        return self.rows().get(name, (None, None, None))[1]

    def has_categories(self):
        """Test server only: a database an older test server made has no ir_module_category."""
        self.cr.execute("SELECT 1 FROM pg_class WHERE relname = 'ir_module_category' AND relkind = 'r'")
        return bool(self.cr.fetchone())

    def update_list(self):
        """Odoo's update_list: add a row for every new module on the addons path and refresh the
        others; an unreadable manifest is skipped with a DEBUG line (get_module_info)."""
        cr = self.cr
        known = self.rows()
        categories = self.has_categories()
        _ir_module_logger.info('ALLOW access to module.update_list on [] to user __system__ #1 via n/a')
        for name in modmod.get_modules():
            try:
                terp = modmod.get_manifest(name)
            except Exception:
                _ir_module_logger.debug('Error when trying to fetch information for module %s', name, exc_info=True)
                continue
            values = (db.translated(terp['name']), db.translated(terp['summary']), terp['author'], terp['license'],
                      terp['website'], terp['sequence'], bool(terp['application']), terp['auto_install'] is not False)
            # The category as ir.module.module's update_list() sets it (_update_category).
            values += (db.create_categories(cr, terp['category'].split('/')),) if categories else ()
            category = ', category_id = %s' if categories else ''
            if name in known:
                mid, state, _ = known[name]
                if state == 'uninstallable' and terp['installable']:
                    state = 'uninstalled'
                cr.execute('UPDATE ir_module_module SET shortdesc = %s, summary = %s, author = %s, license = %s, '
                           'website = %s, sequence = %s, application = %s, auto_install = %s' + category + ', state = %s '
                           'WHERE id = %s', values + (state, mid))
            else:
                cr.execute('INSERT INTO ir_module_module (shortdesc, summary, author, license, website, sequence, '
                           'application, auto_install, ' + ('category_id, ' if category else '') + 'name, state) '
                           'VALUES (%s, %s, %s, %s, %s, %s, %s, %s, ' + ('%s, ' if category else '') + '%s, %s) RETURNING id',
                           values + (name, 'uninstalled' if terp['installable'] else 'uninstallable'))
                mid = cr.fetchone()[0]
            cr.execute('DELETE FROM ir_module_module_dependency WHERE module_id = %s', (mid,))
            auto = terp['auto_install'] or set()
            for dep in terp['depends']:
                cr.execute('INSERT INTO ir_module_module_dependency (module_id, name, auto_install_required) '
                           'VALUES (%s, %s, %s)', (mid, dep, dep in auto))

    def install_new_core_dependencies(self):
        """Test server only: a database made by an older test server may lack a core addon that an
        installed core addon now depends on (mail -> bus, since bus came with the websocket).
        Mark it 'to install' (its row made if missing), as `-u` of that module would, rather than
        leave the module unloaded; return whether there was any."""
        rows = self.rows()
        missing = {}
        for name, (_, state, _) in sorted(rows.items()):
            if state not in INSTALLED_STATES or not modmod.is_core_module(name):
                continue
            for dep in modmod.get_manifest(name)['depends']:
                if rows.get(dep, (None, 'uninstalled'))[1] == 'uninstalled' and modmod.is_core_module(dep):
                    missing.setdefault(dep, name)
        for dep, name in missing.items():
            _logger.info('module %s: installing %s, a dependency this database (made by an older test server) lacks',
                         name, dep)
            if dep not in rows:
                db.insert_module(self.cr, dep, modmod.get_manifest(dep))
        if missing:
            self.mark('to install', sorted(missing))
        return bool(missing)

    def check_module_names(self, names):
        known = self.rows()
        invalid = [n for n in names if n not in known and n != 'all']
        if invalid:
            _logger.warning('invalid module names, ignored: %s', ', '.join(invalid))

    def button_install(self, names):
        """Odoo's button_install: mark the modules 'to install' with their dependencies, checking
        each one's external dependencies, then the auto_install modules that follow."""
        if not names:
            return
        _ir_module_logger.info('ALLOW access to module.button_install on %s to user __system__ #1 via n/a',
                               [modmod.get_manifest(n)['name'] for n in names])
        self.mark('to install', names)
        while True:
            rows = self.rows()
            present = {n for n, (_, state, _) in rows.items() if state in INSTALLED_STATES}
            todo = []
            for name, (_, state, _) in rows.items():
                if state != 'uninstalled':
                    continue
                try:
                    auto = modmod.get_manifest(name)['auto_install']
                except Exception:
                    continue            # unreadable: get_module_info() gives {} in Odoo, never auto-installed
                if auto is not False and set(auto) <= present:
                    todo.append(name)
            if not todo:
                return
            self.mark('to install', sorted(todo))

    def mark(self, newstate, names):
        """Odoo's _state_update: dependencies first, then the module, its external dependencies
        checked before it is marked."""
        rows = self.rows()
        base_demo = rows.get('base', (None, None, False))[2]

        def visit(name, requester=None):
            row = rows.get(name)
            if row is None or row[1] == 'unknown':
                raise UserError('You try to install module %r that depends on module %r.\n'
                                'But the latter module is not available in your system.' % (requester, name))
            mid, state, demo = row
            if state != 'uninstalled':
                return demo
            manifest = modmod.get_manifest(name)
            dep_demo = [visit(dep, name) for dep in manifest['depends']]
            self.check_external_dependencies(name, manifest, newstate)
            demo = bool(base_demo or any(dep_demo))
            self.cr.execute('UPDATE ir_module_module SET state = %s, demo = %s WHERE id = %s', (newstate, demo, mid))
            rows[name] = (mid, newstate, demo)
            return demo

        for name in names:
            visit(name)

    @staticmethod
    def check_external_dependencies(name, manifest, newstate):
        try:
            modmod.check_manifest_dependencies(manifest)
        except Exception as e:
            verb = {'to install': 'install', 'to upgrade': 'upgrade'}.get(newstate, 'process')
            raise UserError('Unable to %s module "%s" because an external dependency is not met: %s'
                            % (verb, name, e.args[0])) from e

    def button_upgrade(self, names):
        """Odoo's button_upgrade: mark installed modules 'to upgrade' with the installed modules that
        depend on them; their new dependencies are installed."""
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
        # Odoo's assert_log_admin_access logs the records (ir_module.py), not their manifests: a
        # module installed whose manifest has no name (or is gone) is updated all the same.
        _ir_module_logger.info('ALLOW access to module.button_upgrade on %s to user __system__ #1 via n/a', sorted(todo))
        for name in sorted(todo):
            manifest = modmod.get_manifest(name)
            if manifest['installable']:
                self.check_external_dependencies(name, manifest, 'to upgrade')
        self.cr.execute("UPDATE ir_module_module SET state = 'to upgrade' WHERE name IN %s", (tuple(todo),))
        new_deps = {d for m in todo for d in modmod.get_manifest(m)['depends'] if rows.get(d, (0, ''))[1] == 'uninstalled'}
        self.button_install(sorted(new_deps))


def reset_modules_state(dbname):
    """Odoo's reset_modules_state, called when a load fails: on a connection of its own, the
    modules left 'to install' become 'uninstalled' again, those 'to upgrade' or 'to remove'
    'installed'; logged whether or not a row changed."""
    with sql_db.cursor(dbname) as cr:
        cr.execute("SELECT 1 FROM information_schema.tables WHERE table_name = 'ir_module_module'")
        if not cr.fetchall():
            _logger.info('skipping reset_modules_state, ir_module_module table does not exists')
            return
        cr.execute("UPDATE ir_module_module SET state = 'installed' WHERE state IN ('to remove', 'to upgrade')")
        cr.execute("UPDATE ir_module_module SET state = 'uninstalled' WHERE state = 'to install'")
        _logger.warning('Transient module states were reset')
