# Core addon of the Odoo-compatible TEST server (Stagehand test equipment), not Odoo's stock.
{
    'name': 'Inventory',
    'version': '1.1',
    'summary': 'Inventory (test server stand-in)',
    'depends': ['mail', 'product'],
    'auto_install': False,
    'category': 'Inventory/Inventory',
    'application': True,
    'license': 'LGPL-3',
}
