"""`odoo.fields`: import-compatible stubs. A field declaration is kept and otherwise ignored."""

import datetime


class Field:
    type = None

    def __init__(self, *args, **kwargs):
        self.args = args
        self.kwargs = kwargs


def _field(type_name):
    return type(type_name.capitalize(), (Field,), {'type': type_name})


Boolean, Integer, Float, Monetary, Char, Text, Html, Selection = (
    _field(t) for t in ('boolean', 'integer', 'float', 'monetary', 'char', 'text', 'html', 'selection'))
Binary, Image, Json, Properties, PropertiesDefinition, Reference = (
    _field(t) for t in ('binary', 'image', 'json', 'properties', 'properties_definition', 'reference'))
Many2one, One2many, Many2many, Many2oneReference, Id = (
    _field(t) for t in ('many2one', 'one2many', 'many2many', 'many2one_reference', 'integer'))


class Date(Field):
    type = 'date'

    @staticmethod
    def today(*args):
        return datetime.date.today()

    context_today = today

    @staticmethod
    def to_date(value):
        return datetime.date.fromisoformat(value) if isinstance(value, str) else value


class Datetime(Field):
    type = 'datetime'

    @staticmethod
    def now(*args):
        return datetime.datetime.now().replace(microsecond=0)

    @staticmethod
    def to_datetime(value):
        return datetime.datetime.fromisoformat(value) if isinstance(value, str) else value
