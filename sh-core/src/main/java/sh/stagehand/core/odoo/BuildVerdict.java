package sh.stagehand.core.odoo;

/**
 * A build's verdict from its logs (placeholder until the log analyzer lands).
 */
public enum BuildVerdict
{
    SUCCESS,
    WARNING,
    FAILED,
}
