# Core addon of the Odoo-compatible TEST server (Stagehand test equipment), not Odoo's contacts.
{
    'name': 'Contacts',
    'version': '1.0',
    'summary': 'Contacts (test server stand-in)',
    'depends': ['base', 'mail'],
    'auto_install': False,
    'category': 'Sales/CRM',
    'application': True,
    'license': 'LGPL-3',
}
