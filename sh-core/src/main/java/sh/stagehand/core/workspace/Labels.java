package sh.stagehand.core.workspace;

import java.util.Set;

/**
 * The labels on every container and image of a build, by which a restarted platform finds them.
 */
public final class Labels
{
    public static final String PROJECT = "sh.stagehand.project";
    public static final String BRANCH = "sh.stagehand.branch";
    public static final String BUILD = "sh.stagehand.build";
    public static final String ROLE = "sh.stagehand.role";
    /** A container that loads a dump, of no build: never outlives the platform that started it. */
    public static final String RESTORE_ROLE = "restore";
    /** The roles of containers that never outlive the platform that started them. */
    public static final Set<String> THROWAWAY_ROLES = Set.of(RESTORE_ROLE);

    private Labels() {}
}
