"""All addons, across all addons paths: the core ones below, and those of --addons-path, which
odoo.modules.module.initialize_sys_path() adds to this package's __path__ (as Odoo does)."""
