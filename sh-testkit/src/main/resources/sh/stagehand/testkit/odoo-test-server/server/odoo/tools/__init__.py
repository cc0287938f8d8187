"""`odoo.tools`: the configuration, and the few helpers addon code imports from here."""

from .config import config


def ustr(value, *args, **kwargs):
    if isinstance(value, Exception):
        return '\n'.join(str(arg) for arg in value.args)
    return value if isinstance(value, str) else str(value)


def find_in_path(name):
    import shutil
    path = shutil.which(name)
    if not path:
        raise IOError('File not found: %s' % name)
    return path
