"""Finding addons, reading their manifests, importing them: as Odoo's odoo/modules/module.py."""

import ast
import copy
import functools
import logging
import os
import re
import sys

import odoo
import odoo.addons
from .. import release
from ..tools import config

_logger = logging.getLogger(__name__)

MANIFEST = '__manifest__.py'

# Odoo 17's _DEFAULT_MANIFEST, less the website-only keys.
_DEFAULT_MANIFEST = {
    'application': False, 'assets': {}, 'author': 'Odoo S.A.', 'auto_install': False,
    'category': 'Uncategorized', 'countries': [], 'data': [], 'demo': [], 'demo_xml': [],
    'depends': [], 'description': '', 'external_dependencies': {}, 'init_xml': [],
    'installable': True, 'images': [], 'post_init_hook': '', 'post_load': '', 'pre_init_hook': '',
    'sequence': 100, 'summary': '', 'test': [], 'update_xml': [], 'uninstall_hook': '',
    'version': '1.0', 'web': False, 'website': '',
}


class ManifestError(ValueError):
    """A manifest that cannot be read; the message names the module and the problem."""


def initialize_sys_path():
    """Make every addons directory a part of the `odoo.addons` package, core addons first."""
    paths = odoo.addons.__path__
    for path in [config.addons_data_dir] + config['addons_path'].split(','):
        path = os.path.normcase(os.path.abspath(path.strip())) if path.strip() else ''
        if path and os.path.isdir(path) and path not in paths:
            paths.append(path)


def get_module_path(module):
    for path in odoo.addons.__path__:
        if os.path.isfile(os.path.join(path, module, MANIFEST)):
            return os.path.join(path, module)
    return None


def get_modules():
    """Names of all modules on the addons path (the first directory holding a name wins)."""
    names = set()
    for path in odoo.addons.__path__:
        if os.path.isdir(path):
            names.update(name for name in os.listdir(path)
                         if os.path.isfile(os.path.join(path, name, MANIFEST)))
    return sorted(names)


def adapt_version(version):
    """Odoo's rule: prefix the series unless the version already starts with it ('1.0' -> '17.0.1.0')."""
    serie = release.major_version
    if version == serie or not version.startswith(serie + '.'):
        base_version = version
        version = '%s.%s' % (serie, version)
    else:
        base_version = version[len(serie) + 1:]
    if not re.match(r'^[0-9]+\.[0-9]+(?:\.[0-9]+)?$', base_version):
        raise ValueError("Invalid version %r. Modules should have a version in format `x.y`, `x.y.z`, "
                         "`%s.x.y` or `%s.x.y.z`." % (base_version, serie, serie))
    return version


def load_manifest(module, mod_path=None):
    """Read a manifest with ast.literal_eval, fill in Odoo's defaults; raise ManifestError if unreadable."""
    mod_path = mod_path or get_module_path(module)
    if not mod_path:
        raise ManifestError('module %s: no manifest file found' % module)
    path = os.path.join(mod_path, MANIFEST)
    with open(path, encoding='utf-8') as f:
        source = f.read()
    try:
        values = ast.literal_eval(source)
    except SyntaxError as e:
        raise ManifestError('module %s: invalid manifest %s: %s (line %s)\n%s'
                            % (module, path, e.msg, e.lineno, (e.text or '').rstrip())) from None
    except (ValueError, TypeError) as e:
        raise ManifestError('module %s: invalid manifest %s: not a Python literal (%s)' % (module, path, e)) from e
    if not isinstance(values, dict):
        raise ManifestError('module %s: invalid manifest %s: a dict is expected, not %s'
                            % (module, path, type(values).__name__))

    manifest = copy.deepcopy(_DEFAULT_MANIFEST)
    manifest.update(values)
    manifest['name'] = manifest.get('name') or module
    if not manifest.get('license'):
        manifest['license'] = 'LGPL-3'
        _logger.warning("Missing `license` key in manifest for %r, defaulting to LGPL-3", module)
    # auto_install: False, True (= all of depends), or a list of dependencies (Odoo 17).
    auto = manifest['auto_install']
    if isinstance(auto, (list, tuple, set)):
        manifest['auto_install'] = set(auto)
        missing = manifest['auto_install'].difference(manifest['depends'])
        if missing:
            raise ManifestError('module %s: auto_install triggers must be dependencies, found non-dependencies '
                                '[%s]' % (module, ', '.join(sorted(missing))))
    elif auto:
        manifest['auto_install'] = set(manifest['depends'])
    try:
        manifest['version'] = adapt_version(str(manifest['version']))
    except ValueError as e:
        if manifest['installable']:
            raise ManifestError('module %s: invalid manifest %s: %s' % (module, path, e)) from e
    manifest['addons_path'] = os.path.normpath(os.path.join(mod_path, os.pardir))
    return manifest


@functools.lru_cache(maxsize=None)
def get_manifest(module):
    return load_manifest(module)


def load_openerp_module(module):
    """Import the addon's package as odoo.addons.<module> (Odoo's name for it)."""
    qualname = 'odoo.addons.%s' % module
    if qualname in sys.modules:
        return sys.modules[qualname]
    try:
        __import__(qualname)
        info = get_manifest(module)
        if info['post_load']:
            getattr(sys.modules[qualname], info['post_load'])()
    except Exception:
        _logger.critical("Couldn't load module %s", module)
        raise
    return sys.modules[qualname]
