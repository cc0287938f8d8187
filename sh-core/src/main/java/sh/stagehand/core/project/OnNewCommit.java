package sh.stagehand.core.project;

/**
 * What a push to a branch does, as Odoo.sh's branch setting "Behaviour upon new commit".
 */
public enum OnNewCommit
{
    /** A new build: development's default; on staging, a new copy of production. */
    NEW_BUILD,
    /** Staging's default: the previous build's database is kept and updated to the new revision. */
    UPDATE_PREVIOUS,
    /** The push is recorded in the history; nothing is built (a branch moved back from staging). */
    DO_NOTHING;

    /**
     * The behaviour a branch takes when it moves from one stage to another, as on Odoo.sh: to
     * staging, update the previous build; from staging back to development, do nothing; otherwise a
     * new build.
     */
    public static OnNewCommit defaultWhenMoved(Stage from, Stage to)
    {
        if (to == Stage.STAGING) {
            return UPDATE_PREVIOUS;
        }
        if (from == Stage.STAGING && to == Stage.DEVELOPMENT) {
            return DO_NOTHING;
        }
        return NEW_BUILD;
    }
}
