package sh.stagehand.core.build;

/**
 * Where a build is in its life. Separate from its verdict: a build can run with a failed verdict.
 */
public enum BuildState
{
    QUEUED(false),
    /** Checking out, preparing the image, creating the database. */
    BUILDING(false),
    /** Installing modules and running tests. */
    TESTING(false),
    /**
     * Production in maintenance: the previous server is stopped while the database is snapshotted
     * and updated to the new revision; it serves again if the update fails.
     */
    UPDATING(false),
    /** The server runs and answers on its port. */
    RUNNING(false),
    /**
     * A development or staging build put to sleep, idle: its server container is gone, its
     * database, files and image are kept; the first request to it starts its server again.
     */
    SLEEPING(false),
    /** The server was stopped (garbage collected, replaced); its database may be gone. */
    STOPPED(true),
    /** A platform step failed (not a test): the build has no server. */
    FAILED(true),
    /** A newer push to the branch came before this build started. */
    SUPERSEDED(true);

    private final boolean terminal;

    BuildState(boolean terminal)
    {
        this.terminal = terminal;
    }

    /** Whether the build will never change state again. */
    public boolean isTerminal()
    {
        return terminal;
    }

    /** Whether the build is being worked on now. */
    public boolean isInProgress()
    {
        return this == BUILDING || this == TESTING || this == UPDATING;
    }
}
