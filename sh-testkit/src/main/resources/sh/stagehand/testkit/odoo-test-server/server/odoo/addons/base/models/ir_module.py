"""`ir.module.module`: modules searched by name and state, and uninstalled as Odoo 17's
odoo/addons/base/models/ir_module.py does it: button_uninstall marks the modules and those that
depend on them (downstream_dependencies) 'to remove'; button_immediate_uninstall
(_button_immediate_function) takes ir_cron's lock, commits, and loads the registry again with
update_module, whose STEP 5 (odoo/modules/loading.py) runs each module's uninstall_hook(env) and
removes its data (module_uninstall)."""

import logging

import psycopg2

from odoo.exceptions import UserError
from odoo.models import ImplementedModel
from odoo.tools import config

_logger = logging.getLogger('odoo.addons.base.models.ir_module')

_FIELDS = ('id', 'name', 'state')
_OPERATORS = ('=', '!=', 'in', 'not in')


class IrModuleModule(ImplementedModel):
    _name = 'ir.module.module'
    _table = 'ir_module_module'

    def search(self, domain):
        """The modules matching a domain of (field, operator, value) on id, name or state, by name."""
        clauses, params = [], []
        for field, operator, value in domain:
            if field not in _FIELDS or operator not in _OPERATORS:
                raise NotImplementedError('ir.module.module.search: the test server filters on %s with %s only, not %r'
                                          % ('/'.join(_FIELDS), ' '.join(_OPERATORS), (field, operator, value)))
            if operator in ('in', 'not in'):
                value = tuple(value) or (None,)
            clauses.append('%s %s %%s' % (field, operator.upper()))
            params.append(value)
        self._cr.execute('SELECT id FROM ir_module_module' + (' WHERE ' + ' AND '.join(clauses) if clauses else '')
                         + ' ORDER BY name', params)
        return self.browse([row[0] for row in self._cr.fetchall()])

    def mapped(self, field):
        if field not in _FIELDS:
            raise NotImplementedError('ir.module.module: the test server reads %s only, not %r' % ('/'.join(_FIELDS), field))
        if not self.ids:
            return []
        self._cr.execute('SELECT id, %s FROM ir_module_module WHERE id IN %%s' % field, (tuple(self.ids),))
        values = dict(self._cr.fetchall())
        return [values[i] for i in self.ids if i in values]

    @property
    def name(self):
        return self.read_column('name')

    @property
    def state(self):
        return self.read_column('state')

    def __or__(self, other):
        return self.browse(self.ids + [i for i in other.ids if i not in self.ids])

    def downstream_dependencies(self, known_deps=None, exclude_states=('uninstalled', 'uninstallable', 'to remove')):
        """The modules that depend on these, directly or not, in no excluded state."""
        if not self:
            return self
        known_deps = known_deps or self.browse()
        self._cr.execute("""SELECT DISTINCT m.id FROM ir_module_module_dependency d JOIN ir_module_module m ON d.module_id = m.id
                            WHERE d.name IN (SELECT name FROM ir_module_module WHERE id IN %s)
                              AND m.state NOT IN %s AND m.id NOT IN %s""",
                         (tuple(self.ids), tuple(exclude_states), tuple(known_deps.ids or self.ids)))
        new_deps = self.browse([row[0] for row in self._cr.fetchall()])
        missing = self.browse([i for i in new_deps.ids if i not in known_deps.ids])
        known_deps |= new_deps
        if missing:
            known_deps |= missing.downstream_dependencies(known_deps, exclude_states)
        return known_deps

    def button_uninstall(self):
        wide = set(n.strip() for n in (config['server_wide_modules'] or '').split(',')) & set(self.mapped('name'))
        if wide:
            raise UserError('Those modules cannot be uninstalled: %s' % ', '.join(sorted(wide)))
        if any(state not in ('installed', 'to upgrade') for state in self.mapped('state')):
            raise UserError('One or more of the selected modules have already been uninstalled, if you '
                            'believe this to be an error, you may try again later or contact support.')
        todo = self | self.downstream_dependencies()
        self._cr.execute("UPDATE ir_module_module SET state = 'to remove' WHERE id IN %s", (tuple(todo.ids),))

    def button_immediate_uninstall(self):
        _logger.info('User #%d triggered module uninstallation', self.env.uid)
        return self._button_immediate_function(type(self).button_uninstall)

    def _button_immediate_function(self, function):
        from odoo.modules.loading import Loader, reset_modules_state     # late: the loader imports the addons
        try:
            self._cr.execute('SELECT * FROM ir_cron FOR UPDATE NOWAIT')
        except psycopg2.OperationalError:
            raise UserError('Odoo is currently processing a scheduled action.\n'
                            'Module operations are not possible at this time, '
                            'please try again later or contact your system administrator.')
        function(self)
        self._cr.commit()
        # Odoo's Registry.new(update_module=True): a load that fails is rolled back and the
        # transient states are reset, then the error goes on.
        try:
            Loader(self._cr.connection, update_module=True).run()
        except Exception:
            self._cr.rollback()
            reset_modules_state(self._cr.dbname)
            raise
        self._cr.commit()
        return {'type': 'ir.actions.client', 'tag': 'reload'}

    def module_uninstall(self):
        """Remove the modules' records (those named in ir_model_data, as _module_data_uninstall
        does for the test server's tables) and mark them uninstalled."""
        names = self.mapped('name')
        self._cr.execute('SELECT model, res_id FROM ir_model_data WHERE module IN %s ORDER BY id DESC', (tuple(names),))
        for model, res_id in self._cr.fetchall():
            table = model.replace('.', '_')
            try:
                with self._cr.savepoint():
                    self._cr.execute('DELETE FROM "%s" WHERE id = %%s' % table, (res_id,))
            except psycopg2.Error:
                _logger.info('Unable to delete %s,%s', model, res_id)
        self._cr.execute('DELETE FROM ir_model_data WHERE module IN %s', (tuple(names),))
        self._cr.execute("UPDATE ir_module_module SET state = 'uninstalled', latest_version = NULL, "
                         "write_date = now() AT TIME ZONE 'UTC' WHERE id IN %s", (tuple(self.ids),))
        return True
