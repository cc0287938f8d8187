"""Addon management: discovery and manifests (module), install/update (loading), migration
scripts (migration), neutralization (neutralize) and the module tables (db)."""

from . import module, db, migration, neutralize, loading
from .module import adapt_version, get_manifest, get_module_path, get_modules, initialize_sys_path
