"""Finding addons, reading their manifests, importing them: as Odoo's odoo/modules/module.py."""

import ast
import collections.abc
import copy
import functools
import importlib
import logging
import os
import re
import shutil
import sys

import pkg_resources

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


def is_core_module(module):
    """Whether the module is one of the core addons shipped in the `odoo` package."""
    path = get_module_path(module)
    return bool(path) and os.path.dirname(path) == os.path.dirname(os.path.abspath(odoo.addons.__file__))


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
        raise ValueError(f"Invalid version {base_version!r}. Modules should have a version in format `x.y`, `x.y.z`,"
                         f" `{serie}.x.y` or `{serie}.x.y.z`.")
    return version


def load_manifest(module, mod_path=None):
    """Read a manifest with ast.literal_eval and fill in Odoo's defaults, as Odoo 17 does: nothing is
    logged here and an unreadable manifest raises (SyntaxError, ValueError); {} when there is none."""
    mod_path = mod_path or get_module_path(module)
    if not mod_path:
        _logger.debug('module %s: no manifest file found %s', module, MANIFEST)
        return {}
    path = os.path.join(mod_path, MANIFEST)
    manifest = copy.deepcopy(_DEFAULT_MANIFEST)
    with open(path, encoding='utf-8') as f:
        manifest.update(ast.literal_eval(f.read()))
    manifest['name'] = manifest.get('name') or module
    if not manifest.get('license'):
        manifest['license'] = 'LGPL-3'
        _logger.warning("Missing `license` key in manifest for %r, defaulting to LGPL-3", module)
    # auto_install: False, True (= all of depends), or a collection of dependencies (Odoo 17).
    if isinstance(manifest['auto_install'], collections.abc.Iterable):
        manifest['auto_install'] = set(manifest['auto_install'])
        non_dependencies = manifest['auto_install'].difference(manifest['depends'])
        assert not non_dependencies, ("auto_install triggers must be dependencies, found non-dependencies [%s] for module %s"
                                      % (', '.join(non_dependencies), module))
    elif manifest['auto_install']:
        manifest['auto_install'] = set(manifest['depends'])
    try:
        manifest['version'] = adapt_version(manifest['version'])
    except ValueError as e:
        if manifest.get('installable', True):
            raise ValueError(f"Module {module}: invalid manifest") from e
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


def check_python_external_dependency(pydep):
    """As Odoo 17: the distribution (a requirement such as 'requests>=2.0' is allowed), else an
    importable module of that name; else 'Python library not installed'."""
    try:
        pkg_resources.get_distribution(pydep)
    except pkg_resources.DistributionNotFound as e:
        try:
            importlib.import_module(pydep)
            _logger.info("python external dependency on '%s' does not appear to be a valid PyPI package. "
                         "Using a PyPI package name is recommended.", pydep)
        except ImportError:
            _logger.warning("DistributionNotFound: %s", e)
            raise Exception('Python library not installed: %s' % (pydep,))
    except pkg_resources.VersionConflict as e:
        _logger.warning("VersionConflict: %s", e)
        raise Exception('Python library version conflict: %s' % (pydep,))
    except Exception as e:
        _logger.warning("get_distribution(%s) failed: %s", pydep, e)
        raise Exception('Error finding python library %s' % (pydep,))


def check_manifest_dependencies(manifest):
    """Odoo 17 reads external_dependencies as a dict {'python': [...], 'bin': [...]}; any other
    shape fails here as it fails there ("'list' object has no attribute 'get'")."""
    depends = manifest.get('external_dependencies')
    if not depends:
        return
    for pydep in depends.get('python', []):
        check_python_external_dependency(pydep)
    for binary in depends.get('bin', []):
        if not shutil.which(binary):
            raise Exception('Unable to find %r in path' % (binary,))
