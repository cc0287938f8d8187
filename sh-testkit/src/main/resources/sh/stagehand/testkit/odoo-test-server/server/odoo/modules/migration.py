"""Migration scripts run by `-u`, as Odoo's odoo/modules/migration.py.

A module upgraded from installed version X to manifest version Y runs the scripts of every
`migrations/<version>/` (or `upgrades/<version>/`) folder with X < version <= Y, in version
order: `pre-*.py` before the module is loaded, `post-*.py` after its data, `end-*.py` once every
module is updated. Each script defines `migrate(cr, version)`, called with the installed version.
A version without the series (`1.1`) is read as `17.0.1.1`; `0.0.0` runs at every upgrade.
"""

import importlib.util
import logging
import os

from .module import adapt_version, get_module_path

_logger = logging.getLogger(__name__)


def _parse(version):
    return tuple(int(p) for p in version.split('.') if p.isdigit())


def _folders(module):
    path = get_module_path(module)
    for sub in ('migrations', 'upgrades'):
        root = os.path.join(path, sub) if path else None
        if root and os.path.isdir(root):
            for version in sorted(os.listdir(root)):
                if os.path.isdir(os.path.join(root, version)):
                    yield version, os.path.join(root, version)


def migrate_module(cr, module, installed_version, new_version, stage):
    """Run the `stage` ('pre', 'post' or 'end') scripts of `module` between the two versions."""
    if not installed_version:
        return
    current, target = _parse(installed_version), _parse(new_version)
    for version, folder in sorted(_folders(module), key=lambda v: _parse(adapt_version(v[0])) if v[0] != '0.0.0' else ()):
        full = _parse(adapt_version(version)) if version != '0.0.0' else None
        if full is not None and not current < full <= target:
            continue
        for name in sorted(os.listdir(folder)):
            if not (name.startswith(stage + '-') and name.endswith('.py')):
                continue
            _logger.info('module %s: Running migration %s %s', module,
                         {'pre': '[>%s]', 'post': '[%s>]', 'end': '[$%s]'}[stage] % version, name[:-3])
            spec = importlib.util.spec_from_file_location('odoo.addons.%s.migrations.%s.%s' % (module, version, name[:-3]),
                                                          os.path.join(folder, name))
            script = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(script)
            script.migrate(cr, installed_version)
