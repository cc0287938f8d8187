package sh.stagehand.core.backup;

/**
 * Why a backup was taken, as Odoo.sh tells them apart.
 */
public enum BackupKind
{
    /** The daily backup of production. */
    DAILY,
    /** Asked for by a person. */
    MANUAL,
    /** Taken before production is changed: an update, a restore, an import. */
    UPDATE,
}
