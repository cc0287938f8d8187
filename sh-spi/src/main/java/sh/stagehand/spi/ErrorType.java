package sh.stagehand.spi;

/**
 * Who has to act when an operation fails.
 */
public enum ErrorType
{
    /** The request was wrong (bad name, bad manifest, bad signature): the caller must change it. */
    USER_ERROR,
    /** A part outside Stagehand failed or is unreachable (Docker engine, PostgreSQL, a git remote): retrying may help. */
    EXTERNAL,
    /** Stagehand itself is wrong: a bug to report. */
    INTERNAL_ERROR,
}
