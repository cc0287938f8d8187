# Core addon of the Odoo-compatible TEST server (Stagehand test equipment), not Odoo's product.
{
    'name': 'Products',
    'version': '1.2',
    'summary': 'Products (test server stand-in)',
    'depends': ['base', 'mail'],
    'auto_install': False,
    'category': 'Sales/Sales',
    'license': 'LGPL-3',
}
