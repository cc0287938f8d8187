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
        raise NotImplementedError(
            "env[%r]: the Odoo-compatible test server has no ORM; use env.cr (a psycopg2 cursor)" % model_name)

    def __repr__(self):
        return '<Environment db=%r uid=%r>' % (self.dbname, self.uid)


def _identity(method):
    return method


def _identity_factory(*args, **kwargs):
    return _identity


model = model_create_multi = readonly = private = _identity
depends = depends_context = constrains = onchange = returns = autovacuum = ondelete = _identity_factory
