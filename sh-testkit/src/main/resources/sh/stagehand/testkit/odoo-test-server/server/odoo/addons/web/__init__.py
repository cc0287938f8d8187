"""Core addon `web` of the test server: the `web.neutralize_banner` view (inactive until a
database is neutralized), which the login page shows when active, as Odoo 17's web.layout."""

from odoo.modules import db

NEUTRALIZE_BANNER_TEXT = 'Database neutralized for testing: no emails sent, etc.'


def _test_server_data(env):
    cr = env.cr
    cr.execute("SELECT id FROM ir_ui_view WHERE key = 'web.layout'")
    layout = cr.fetchone()
    layout_id = layout[0] if layout else db.ensure_record(cr, 'web.layout', 'ir.ui.view', 'ir_ui_view',
                                                          {'name': 'Web layout', 'key': 'web.layout', 'type': 'qweb'})
    db.ensure_record(cr, 'web.neutralize_banner', 'ir.ui.view', 'ir_ui_view',
                     {'name': 'Neutralize Banner', 'key': 'web.neutralize_banner', 'type': 'qweb',
                      'inherit_id': layout_id, 'mode': 'extension', 'active': False})
