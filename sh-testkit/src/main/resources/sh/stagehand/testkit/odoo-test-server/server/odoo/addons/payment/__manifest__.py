# Core addon of the Odoo-compatible TEST server (Stagehand test equipment), not Odoo's payment.
{
    'name': 'Payment Engine',
    'version': '2.0',
    'summary': 'Payment providers (test server stand-in)',
    'depends': ['base', 'web'],
    'auto_install': False,
    'category': 'Hidden',
    'license': 'LGPL-3',
}
