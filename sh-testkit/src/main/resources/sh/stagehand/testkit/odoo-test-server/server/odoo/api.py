"""`odoo.api`: the Environment (no ORM: `env.cr` is the way to the data) and the method
decorators addon code uses, which here leave the method as it is."""

from . import SUPERUSER_ID


class Environment:
    """What install hooks, migration scripts, tests and `odoo shell` get as `env`."""

    def __init__(self, cr, uid=SUPERUSER_ID, context=None):
        self.cr = cr
        self.uid = uid
        self.context = dict(context or {})
        self.su = uid == SUPERUSER_ID

    @property
    def dbname(self):
        return self.cr.dbname

    def __getitem__(self, model_name):
        from .models import implemented
        if model_name not in implemented:
            raise NotImplementedError(
                "env[%r]: the Odoo-compatible test server has no ORM, and implements only %s; use env.cr (a psycopg2 cursor)"
                % (model_name, ', '.join(sorted(implemented)) or 'no model'))
        return implemented[model_name](self)

    def ref(self, xml_id, raise_if_not_found=True):
        """The record of an external id, for a model the test server implements."""
        module, name = xml_id.split('.', 1)
        self.cr.execute('SELECT model, res_id FROM ir_model_data WHERE module = %s AND name = %s', (module, name))
        row = self.cr.fetchone()
        if not row:
            if raise_if_not_found:
                raise ValueError('External ID not found in the system: %s' % xml_id)
            return None
        return self[row[0]].browse(row[1])

    @property
    def user(self):
        return _User(self)

    def __repr__(self):
        return '<Environment db=%r uid=%r>' % (self.dbname, self.uid)


class _User:
    """env.user: the login, partner name and e-mail of the user the environment acts as."""

    def __init__(self, env):
        env.cr.execute('SELECT u.login, p.name, p.email FROM res_users u JOIN res_partner p ON p.id = u.partner_id '
                       'WHERE u.id = %s', (env.uid,))
        self.id = env.uid
        self.login, self.name, self.email = env.cr.fetchone() or ('__system__', 'OdooBot', False)

    @property
    def email_formatted(self):
        return '"%s" <%s>' % (self.name, self.email) if self.email else False


def _identity(method):
    return method


def _identity_factory(*args, **kwargs):
    return _identity


model = model_create_multi = readonly = private = _identity
depends = depends_context = constrains = onchange = returns = autovacuum = ondelete = _identity_factory
