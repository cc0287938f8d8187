"""The core addons have tests, as Odoo's have thousands: `--test-enable` without tags runs them
with the branch's own; a platform selects its modules' tests with tags such as `/my_module`."""

from odoo.tests import TransactionCase, tagged


class TestBaseRecords(TransactionCase):

    def test_main_company(self):
        self.env.cr.execute("SELECT name FROM res_company WHERE id = (SELECT res_id FROM ir_model_data "
                            "WHERE module = 'base' AND name = 'main_company')")
        self.assertTrue(self.env.cr.fetchone())

    def test_config_parameters(self):
        param = self.env['ir.config_parameter']
        self.assertTrue(param.get_param('database.uuid'))
        param.set_param('base.test_parameter', 'x')
        self.assertEqual(param.get_param('base.test_parameter'), 'x')


@tagged('post_install', '-at_install')
class TestBaseInstalled(TransactionCase):

    def test_base_is_installed(self):
        self.env.cr.execute("SELECT state FROM ir_module_module WHERE name = 'base'")
        self.assertEqual(self.env.cr.fetchone()[0], 'installed')
