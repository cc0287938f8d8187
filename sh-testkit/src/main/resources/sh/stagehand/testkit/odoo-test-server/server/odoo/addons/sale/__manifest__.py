# Core addon of the Odoo-compatible TEST server (Stagehand test equipment), not Odoo's sale.
{
    'name': 'Sales',
    'version': '1.2',
    'summary': 'Sales (test server stand-in)',
    'depends': ['account', 'mail', 'product'],
    'auto_install': False,
    'category': 'Sales/Sales',
    'license': 'LGPL-3',
}
