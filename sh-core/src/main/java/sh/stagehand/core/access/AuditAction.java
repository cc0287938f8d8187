package sh.stagehand.core.access;

/**
 * The privileged actions the audit log records, with who did them and when.
 */
public enum AuditAction
{
    PROJECT_CREATED,
    PROJECT_SETTINGS_CHANGED,
    BRANCH_SETTINGS_CHANGED,
    STAGE_CHANGED,
    MERGED,
    BUILD_REBUILT,
    BUILD_DISCARDED,
    PUSHED,
    BACKUP_CREATED,
    BACKUP_DOWNLOADED,
    BACKUP_RESTORED,
    DATABASE_IMPORTED,
    ROLE_CHANGED,
    COLLABORATOR_REMOVED,
    ACCOUNT_CREATED,
    PASSWORD_CHANGED,
    TOKEN_CREATED,
    TOKEN_REVOKED,
    SSH_KEY_ADDED,
    SSH_KEY_REMOVED,
    LOGIN_FAILED,
    LOGIN_THROTTLED,
}
