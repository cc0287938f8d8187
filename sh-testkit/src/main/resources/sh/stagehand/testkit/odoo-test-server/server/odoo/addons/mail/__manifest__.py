# Core addon of the Odoo-compatible TEST server (Stagehand test equipment), not Odoo's mail.
{
    'name': 'Discuss',
    'version': '1.15',
    'summary': 'Mail (test server stand-in)',
    'depends': ['base', 'web', 'bus'],
    'auto_install': False,
    'category': 'Productivity/Discuss',
    'application': True,
    'license': 'LGPL-3',
}
