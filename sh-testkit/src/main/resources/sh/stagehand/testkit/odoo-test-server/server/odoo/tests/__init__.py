"""`odoo.tests`: test cases, tags and the runner used by --test-enable (see common, loader, result)."""

from . import common, loader, result
from .common import (BaseCase, HttpCase, SingleTransactionCase, TransactionCase, get_db_name, tagged,
                     users)
