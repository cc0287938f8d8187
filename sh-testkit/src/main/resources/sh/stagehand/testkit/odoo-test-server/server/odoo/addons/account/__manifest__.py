# Core addon of the Odoo-compatible TEST server (Stagehand test equipment), not Odoo's account.
{
    'name': 'Invoicing',
    'version': '1.2',
    'summary': 'Invoicing (test server stand-in)',
    'depends': ['base', 'web'],
    'auto_install': False,
    'category': 'Accounting/Accounting',
    'application': True,
    'license': 'LGPL-3',
}
