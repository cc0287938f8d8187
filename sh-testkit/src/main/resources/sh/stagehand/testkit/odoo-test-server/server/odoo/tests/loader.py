"""Finding and running an addon's tests, as Odoo's odoo/tests/loader.py and tag_selector.py.

An addon's tests are the `test_*` submodules that its `tests/__init__.py` imports; a test runs
when it matches the position ('at_install' or 'post_install') and --test-tags.
"""

import importlib
import importlib.util
import inspect
import logging
import re
import threading
import unittest

from .. import sql_db
from ..sql_db import TestCursor
from ..tools import config
from . import common
from .result import OdooTestResult

_logger = logging.getLogger(__name__)


class TagsSelector:
    """Test selection by a spec of comma-separated `[-][tag][/module][:class][.method]` filters."""

    filter_spec_re = re.compile(r'''
        ^
        ([+-]?)                    # operator
        (\*|\w*)                   # tag
        (?:/([\w/]*(?:\.py)?))?    # module, or a path to a test file
        (?::(\w*))?                # test class
        (?:\.(\w*))?               # test method
        $''', re.VERBOSE)

    def __init__(self, spec):
        self.exclude = set()
        self.include = set()
        for filter_spec in (spec or '').split(','):
            filter_spec = filter_spec.strip()
            if not filter_spec:
                continue
            match = self.filter_spec_re.match(filter_spec)
            if not match:
                _logger.error('Invalid tag %s', filter_spec)
                continue
            sign, tag, module, klass, method = match.groups()
            is_include = sign != '-'
            if not tag and is_include:
                tag = 'standard'           # '/module' alone means the standard tests of that module
            elif not tag or tag == '*':
                tag = None                 # '*' means every test, not only the standard ones
            module_path = None
            if module and module.endswith('.py'):
                module_path, module = module[:-3].replace('/', '.'), None
            (self.include if is_include else self.exclude).add((tag, module, klass, method, module_path))
        if self.exclude and not self.include:
            self.include.add(('standard', None, None, None, None))

    def check(self, test):
        if not hasattr(test, 'test_tags'):
            return False
        tags = test.test_tags | {test.test_module}

        def matches(test_filter):
            tag, module, klass, method, module_path = test_filter
            return not ((tag and tag not in tags)
                        or (module_path and not test.__module__.endswith(module_path))
                        or (not module_path and module and module != test.test_module)
                        or (klass and klass != test.test_class)
                        or (method and method != test._testMethodName))

        if any(matches(f) for f in self.exclude):
            return False
        return any(matches(f) for f in self.include)


def get_test_modules(module):
    """The test_* modules imported by odoo.addons.<module>.tests (an ImportError there is raised)."""
    name = 'odoo.addons.%s.tests' % module
    if not importlib.util.find_spec(name):
        return []
    tests_mod = importlib.import_module(name)
    return [mod for attr, mod in inspect.getmembers(tests_mod, inspect.ismodule) if attr.startswith('test_')]


def _unwrap(suite):
    if isinstance(suite, unittest.TestCase):
        yield suite
        return
    for item in suite:
        yield from _unwrap(item)


def make_suite(module_names, position='at_install'):
    config_tags = TagsSelector(config['test_tags'])
    position_tag = TagsSelector(position)
    tests = [t
             for module_name in module_names
             for mod in get_test_modules(module_name)
             for t in _unwrap(unittest.TestLoader().loadTestsFromModule(mod))
             if position_tag.check(t) and config_tags.check(t)]
    return unittest.TestSuite(sorted(tests, key=lambda t: t.test_sequence))


def run_suite(suite, dbname):
    """Run `suite` on a connection of its own, rolled back and closed after it (as Odoo's test
    cases take a cursor of their own from the registry and never commit); return an OdooTestResult."""
    thread = threading.current_thread()
    cnx = sql_db.db_connect(dbname)
    common.current.update(dbname=dbname, cursor=lambda: cnx.cursor(cursor_factory=TestCursor))
    thread.testing = True
    try:
        result = OdooTestResult()
        suite(result)
        return result
    finally:
        thread.testing = False
        common.current.clear()
        cnx.rollback()
        cnx.close()
