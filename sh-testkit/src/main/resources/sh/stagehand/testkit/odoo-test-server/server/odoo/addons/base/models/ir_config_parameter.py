"""`ir.config_parameter`: get_param and set_param, as Odoo's."""

from odoo.models import ImplementedModel


class IrConfigParameter(ImplementedModel):
    _name = 'ir.config_parameter'
    _table = 'ir_config_parameter'

    def get_param(self, key, default=False):
        self._cr.execute('SELECT value FROM ir_config_parameter WHERE key = %s', (key,))
        row = self._cr.fetchone()
        return row[0] if row else default

    def set_param(self, key, value):
        """Set (or, with a false value, delete) the parameter; return its former value."""
        old = self.get_param(key)
        if value is False or value is None:
            self._cr.execute('DELETE FROM ir_config_parameter WHERE key = %s', (key,))
        else:
            self._cr.execute('INSERT INTO ir_config_parameter (key, value) VALUES (%s, %s) '
                             'ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_date = now() AT TIME ZONE \'UTC\'',
                             (key, str(value)))
        return old
