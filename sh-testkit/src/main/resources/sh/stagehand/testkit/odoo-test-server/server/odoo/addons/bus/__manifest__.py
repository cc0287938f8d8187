# Core addon of the Odoo-compatible TEST server (Stagehand test equipment), not Odoo's bus.
{
    'name': 'IM Bus',
    'version': '1.0',
    'category': 'Hidden',
    'summary': 'Bus notifications and the /websocket (test server stand-in)',
    'depends': ['base', 'web'],
    'installable': True,
    'auto_install': True,
    'license': 'LGPL-3',
}
