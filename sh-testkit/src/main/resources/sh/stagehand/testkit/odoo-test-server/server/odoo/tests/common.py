"""Odoo's test case classes, reduced to what the test server can offer: `self.env.cr`.

Tests run in a transaction of their own, after the module they test was committed (at_install)
or after every module was loaded (post_install), and never committed: a class runs in a savepoint
rolled back after it, each test in a savepoint rolled back after the test. `self.env.cr.commit()`
raises, as in Odoo.
"""

import itertools
import logging
import re
import unittest

from .. import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)
_savepoint_seq = itertools.count()

# Set by loader.run_suite while a suite runs: {'dbname': ..., 'cursor': callable -> TestCursor}.
current = {}


def get_db_name():
    return current.get('dbname')


class MetaCase(type):
    """Gives every test class of an addon Odoo's attributes: test_tags, test_module, test_class."""

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        if cls.__module__.startswith('odoo.addons.'):
            if getattr(cls, 'test_tags', None) is None:
                cls.test_tags = {'standard', 'at_install'}
            cls.test_module = cls.__module__.split('.')[2]
            cls.test_class = cls.__name__
            cls.test_sequence = getattr(cls, 'test_sequence', 0)


class BaseCase(unittest.TestCase, metaclass=MetaCase):
    longMessage = True

    @classmethod
    def _savepoint(cls, cr):
        name = 'test_%d' % next(_savepoint_seq)
        cr.execute('SAVEPOINT %s' % name)
        return name


class SingleTransactionCase(BaseCase):
    """All the tests of the class in one savepoint, rolled back after the class."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cr = current['cursor']()
        cls.env = api.Environment(cls.cr, SUPERUSER_ID, {})
        savepoint = cls._savepoint(cls.cr)
        cls.addClassCleanup(cls.cr.execute, 'ROLLBACK TO SAVEPOINT %s' % savepoint)


class TransactionCase(SingleTransactionCase):
    """As SingleTransactionCase, and each test in a savepoint of its own, rolled back after it."""

    def setUp(self):
        super().setUp()
        savepoint = self._savepoint(self.cr)
        self.addCleanup(self.cr.execute, 'ROLLBACK TO SAVEPOINT %s' % savepoint)


def tagged(*tags):
    """Add tags to a test class; a tag starting with '-' removes it (e.g. @tagged('post_install', '-at_install'))."""
    include = {t for t in tags if not t.startswith('-')}
    exclude = {t[1:] for t in tags if t.startswith('-')}

    def tags_decorator(obj):
        obj.test_tags = (getattr(obj, 'test_tags', None) or set()) | include
        obj.test_tags -= exclude
        if not (('at_install' in obj.test_tags) ^ ('post_install' in obj.test_tags)):
            _logger.warning('A tests should be either at_install or post_install, which is not the case of %r', obj)
        return obj
    return tags_decorator


class HttpCase(TransactionCase):
    """Browser tests cannot run in the test server: url_open, browser_js and start_tour skip the test."""

    def url_open(self, *args, **kwargs):
        raise unittest.SkipTest('HttpCase.url_open is not available in the Odoo-compatible test server')

    browser_js = start_tour = url_open


def users(*logins):
    """Odoo runs the test once per login; the test server has no users, so it runs it once."""
    def decorator(func):
        return func
    return decorator


def _module_of_error_holder(description):
    """'setUpClass (odoo.addons.a.tests.test_x.TestX)' -> 'odoo.addons.a.tests.test_x'."""
    match = re.search(r'\((odoo\.addons\.[\w.]+)\.\w+\)', description)
    return match and match.group(1)
