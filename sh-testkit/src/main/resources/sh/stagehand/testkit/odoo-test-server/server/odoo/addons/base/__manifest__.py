# Core addon of the Odoo-compatible TEST server (Stagehand test equipment), not Odoo's base.
{
    'name': 'Base',
    'version': '1.3',
    'category': 'Hidden',
    'summary': 'The tables and records every database has (test server)',
    'depends': [],
    'installable': True,
    'auto_install': True,
    'license': 'LGPL-3',
}
