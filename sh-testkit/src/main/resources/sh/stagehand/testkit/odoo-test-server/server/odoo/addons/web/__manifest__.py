# Core addon of the Odoo-compatible TEST server (Stagehand test equipment), not Odoo's web.
{
    'name': 'Web',
    'version': '1.0',
    'summary': 'Web client (test server stand-in)',
    'depends': ['base'],
    'auto_install': True,
    'category': 'Hidden',
    'license': 'LGPL-3',
}
