"""`odoo.models`: import-compatible stubs. Model classes are recorded by name and otherwise
ignored: the test server creates no table for them."""

# model name -> the classes declaring or extending it, in import order
model_classes = {}


class MetaModel(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        inherit = attrs.get('_inherit') or []
        model = attrs.get('_name') or (inherit if isinstance(inherit, str) else (inherit or [None])[0])
        if model and attrs.get('_register', True):
            model_classes.setdefault(model, []).append(cls)


class BaseModel(metaclass=MetaModel):
    _register = False
    _name = None
    _inherit = ()
    _description = None
    _auto = True
    _abstract = True
    _transient = False


class AbstractModel(BaseModel):
    _register = False


class Model(AbstractModel):
    _register = False
    _abstract = False


class TransientModel(Model):
    _register = False
    _transient = True


def check_company(*args, **kwargs):
    return None


# -- The few models the test server implements itself ------------------------------------------

# model name -> class, filled by the core addons' `models` packages when they are imported
implemented = {}


class ImplementedModel:
    """A model the test server implements with SQL, for the part of Odoo's API a hosting platform
    relies on (sending mail, the mail queue, crons, configuration parameters): `env[name]` gives
    one, with `browse(ids)`, `ids`, `id`, iteration and `len()`. Subclasses set `_name` and `_table`."""

    _name = None
    _table = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls._name:
            implemented[cls._name] = cls

    def __init__(self, env, ids=()):
        self.env = env
        self.ids = list(ids)

    @property
    def _cr(self):
        return self.env.cr

    @property
    def id(self):
        return self.ids[0] if len(self.ids) == 1 else False

    def browse(self, ids=()):
        if isinstance(ids, int):
            ids = [ids]
        return type(self)(self.env, ids or ())

    def exists(self):
        if not self.ids:
            return self
        self._cr.execute('SELECT id FROM %s WHERE id IN %%s' % self._table, (tuple(self.ids),))
        present = {row[0] for row in self._cr.fetchall()}
        return self.browse([i for i in self.ids if i in present])

    def read_column(self, column):
        """The column's value for a single record."""
        assert len(self.ids) == 1, 'Expected singleton: %r' % self
        self._cr.execute('SELECT "%s" FROM %s WHERE id = %%s' % (column, self._table), (self.ids[0],))
        row = self._cr.fetchone()
        return row[0] if row else False

    def __iter__(self):
        return (self.browse([i]) for i in self.ids)

    def __len__(self):
        return len(self.ids)

    def __bool__(self):
        return bool(self.ids)

    def __eq__(self, other):
        return isinstance(other, ImplementedModel) and self._name == other._name and self.ids == other.ids

    def __hash__(self):
        return hash((self._name, tuple(self.ids)))

    def __repr__(self):
        return '%s%r' % (self._name, tuple(self.ids))
