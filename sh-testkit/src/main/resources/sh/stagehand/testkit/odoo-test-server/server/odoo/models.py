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
