"""Odoo's test result: logs each test as Odoo does and counts failures and errors.

    INFO  DB odoo.addons.a.tests.test_x: Starting TestX.test_y ...
    INFO  DB odoo.addons.a.tests.test_x: ======================================================================
    ERROR DB odoo.addons.a.tests.test_x: FAIL: TestX.test_y
    Traceback (most recent call last):
    ...
The summary (str) is "F failed, E error(s) of T tests", as Odoo's.
"""

import logging
import unittest

from .common import _module_of_error_holder


class OdooTestResult(unittest.TestResult):

    def __init__(self):
        super().__init__()
        self.failures_count = 0
        self.errors_count = 0

    def _logger_for(self, test):
        if isinstance(test, unittest.case._SubTest):
            test = test.test_case
        module = test.__module__
        if not module.startswith('odoo.addons.'):
            module = _module_of_error_holder(str(test)) or 'odoo.tests'
        return logging.getLogger(module)

    def getDescription(self, test):
        if isinstance(test, unittest.case._SubTest):
            return 'Subtest %s.%s %s' % (test.test_case.__class__.__qualname__, test.test_case._testMethodName,
                                         test._subDescription())
        if isinstance(test, unittest.TestCase):
            return '%s.%s' % (test.__class__.__qualname__, test._testMethodName)
        return str(test)

    def startTest(self, test):
        super().startTest(test)
        self._logger_for(test).info('Starting %s ...', self.getDescription(test))

    def _log_error(self, flavour, test, err):
        logger = self._logger_for(test)
        logger.info('=' * 70)
        logger.error('%s: %s\n%s', flavour, self.getDescription(test), self._exc_info_to_string(err, test).rstrip())

    def addError(self, test, err):
        super().addError(test, err)
        self.errors_count += 1
        self._log_error('ERROR', test, err)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.failures_count += 1
        self._log_error('FAIL', test, err)

    def addSubTest(self, test, subtest, err):
        if err is not None:
            if issubclass(err[0], test.failureException):
                self.addFailure(subtest, err)
            else:
                self.addError(subtest, err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._logger_for(test).info('skipped %s : %s', self.getDescription(test), reason)

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.errors_count += 1
        self._logger_for(test).error('UNEXPECTED SUCCESS: %s', self.getDescription(test))

    def update(self, other):
        self.failures_count += other.failures_count
        self.errors_count += other.errors_count
        self.testsRun += other.testsRun

    def wasSuccessful(self):
        return self.failures_count == self.errors_count == 0

    def __str__(self):
        return '%s failed, %s error(s) of %s tests' % (self.failures_count, self.errors_count, self.testsRun)
