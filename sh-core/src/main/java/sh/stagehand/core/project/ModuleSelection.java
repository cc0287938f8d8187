package sh.stagehand.core.project;

/**
 * Which modules a development build installs (a branch setting).
 */
public enum ModuleSelection
{
    /** The repository's own installable modules, not those of its submodules (the default). */
    OWN_MODULES,
    /** Every installable module found, submodules' included (a full installation). */
    ALL,
    /** Exactly the modules the branch lists. */
    EXPLICIT,
}
