"""`odoo.tools`: the configuration, and the test server's mail API (see mail_delivery)."""

from .config import config
from . import mail_delivery


def ustr(value, *args, **kwargs):
    return value if isinstance(value, str) else str(value)
