package sh.stagehand.core.odoo;

/**
 * What a build's log says of it, as Odoo.sh shows it and Odoo's runbot decides it; see
 * {@link LogAnalyzer}. Ordered from best to worst, so the verdict of a build with several logs is
 * the greatest of theirs.
 */
public enum BuildVerdict
{
    /** No error, traceback or warning, and the modules loaded. */
    SUCCESS,
    /** The modules loaded without error, but something logged a warning (a run of 0 tests is logged as one). */
    WARNING,
    /** An error or critical line, a traceback, or the modules never finished loading. */
    FAILED,
}
