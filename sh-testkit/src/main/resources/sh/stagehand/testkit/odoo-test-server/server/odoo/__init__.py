"""Odoo-compatible TEST server (Stagehand test equipment), not Odoo.

A small stand-in for the `odoo` Python package: the same command line, log format, database
tables, exit codes and addon loading as odoo-bin 17.0, as far as a hosting platform sees them.
There is no ORM: `odoo.models`, `odoo.fields`, `odoo.api` and `odoo.http` are import-compatible
stubs so that ordinary addon code imports; `env.cr` (a psycopg2 cursor) is the way to the data.
"""

from . import release
from .release import version_info, version

SUPERUSER_ID = 1


def _(source, *args, **kwargs):
    """Translation marker: returns the source string, formatted like Odoo's `_`."""
    if args:
        return source % args
    if kwargs:
        return source % kwargs
    return source


_lt = _

# Sub-packages addon code reaches through `odoo.<name>` (import order matters: tools first).
from . import tools  # noqa: E402
from . import exceptions, api, fields, models, http  # noqa: E402
from . import sql_db, netsvc, modules, service, cli  # noqa: E402
