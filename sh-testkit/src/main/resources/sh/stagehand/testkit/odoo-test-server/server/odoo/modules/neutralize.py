"""Neutralization, as Odoo 17's odoo/modules/neutralize.py: every installed module may ship a
`data/neutralize.sql`; they run one after the other on one cursor, in the order PostgreSQL lists
the installed modules (no ORDER BY, as Odoo), so one transaction for all of them. Odoo logs no line
per module, only "Neutralization finished"."""

import logging
import os

from .module import get_module_path

_logger = logging.getLogger(__name__)


def get_installed_modules(cr):
    cr.execute("SELECT name FROM ir_module_module WHERE state IN ('installed', 'to upgrade', 'to remove')")
    return [name for (name,) in cr.fetchall()]


def get_neutralization_queries(modules):
    for module in modules:
        path = get_module_path(module)
        filename = path and os.path.join(path, 'data', 'neutralize.sql')
        if filename and os.path.isfile(filename):
            with open(filename, encoding='utf-8') as f:
                yield f.read().strip()


def neutralize_database(cr):
    for query in get_neutralization_queries(get_installed_modules(cr)):
        cr.execute(query)
    _logger.info('Neutralization finished')
