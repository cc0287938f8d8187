"""Version of the Odoo series this test server imitates (the same names as Odoo's odoo/release.py)."""

version_info = (17, 0, 0, 'final', 0, '')
series = serie = major_version = '17.0'
version = '17.0'
product_name = 'Odoo'
description = 'Odoo Server'

# This is not Odoo: it says so in its banner and its log.
TEST_SERVER_BANNER = 'Odoo-compatible TEST server (Stagehand test equipment), not Odoo'
