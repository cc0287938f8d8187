package sh.stagehand.core.pipeline;

/**
 * The labels on every container and image of a build, by which a restarted platform finds them.
 */
public final class Labels
{
    public static final String PROJECT = "sh.stagehand.project";
    public static final String BRANCH = "sh.stagehand.branch";
    public static final String BUILD = "sh.stagehand.build";
    public static final String ROLE = "sh.stagehand.role";

    private Labels() {}
}
