package sh.stagehand.server;

import sh.stagehand.testkit.TestingGitRepository;

/**
 * Odoo addons written into a test repository, the way a customer's repository holds them.
 */
final class TestingAddons
{
    private TestingAddons() {}

    static void addon(TestingGitRepository repository, String name, String depends, String initCode, String testCode)
    {
        repository.writeFile(name + "/__manifest__.py", """
                # -*- coding: utf-8 -*-
                {
                    'name': '%s',
                    'version': '17.0.1.0.0',
                    'summary': 'Stagehand test addon '
                               '(implicitly concatenated)',
                    'depends': [%s],
                    'license': 'LGPL-3',
                    'installable': True,
                    %s
                }
                """.formatted(name, depends, initCode.contains("def post_init") ? "'post_init_hook': 'post_init'," : ""));
        repository.writeFile(name + "/__init__.py", initCode);
        if (testCode != null) {
            repository.writeFile(name + "/tests/__init__.py", "from . import test_" + name + "\n");
            repository.writeFile(name + "/tests/test_" + name + ".py", testCode);
        }
    }

    static String passingTest(String className)
    {
        return """
                from odoo.tests import TransactionCase


                class %s(TransactionCase):

                    def test_database_answers(self):
                        self.env.cr.execute("SELECT 1")
                        self.assertEqual(self.env.cr.fetchone()[0], 1)
                """.formatted(className);
    }

    static String failingTest(String className)
    {
        return """
                from odoo.tests import TransactionCase


                class %s(TransactionCase):

                    def test_invoice_total(self):
                        self.assertEqual(2 + 2, 5, "the invoice total is wrong")
                """.formatted(className);
    }

    static String warningInit(String message)
    {
        return """
                import logging

                _logger = logging.getLogger(__name__)
                _logger.warning("%s")
                """.formatted(message);
    }

    static String mailingInit(String to, String subject)
    {
        return """
                from odoo.tools.mail_delivery import send_email


                def post_init(env):
                    send_email(env, '%s', '%s', 'Hello from a build', body_html='<p>Hello from a build</p>')
                """.formatted(to, subject);
    }
}
