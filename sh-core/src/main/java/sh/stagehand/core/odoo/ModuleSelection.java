package sh.stagehand.core.odoo;

/**
 * Which modules a development build installs: a branch setting, as on Odoo.sh.
 */
public enum ModuleSelection
{
    /** The repository's own installable modules, not those of its git submodules. The default. */
    OWN_MODULES,
    /** Every installable module found in the repository, submodules included: a full installation. */
    ALL,
    /** The modules the branch lists, each of which must be an installable addon of the repository. */
    EXPLICIT,
}
