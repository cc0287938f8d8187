package sh.stagehand.core.store;

public enum EventKind
{
    PUSH,
    BRANCH_CREATED,
    /** An ssh repository refused the project's new deploy key: its customer has to add it. */
    DEPLOY_KEY_AWAITED,
    BRANCH_DELETED,
    STAGE_CHANGED,
    DOMAINS_CHANGED,
    BUILD_QUEUED,
    BUILD_STARTED,
    BUILD_SUPERSEDED,
    BUILD_RUNNING,
    BUILD_FAILED,
    BUILD_STOPPED,
    /** A build's server moved to another node of a cluster (its node drained or lost). */
    BUILD_MOVED,
    BUILD_RECONCILED,
    BUILD_GARBAGE_COLLECTED,
    REBUILD_REQUESTED,
    PRODUCTION_UPDATE_STARTED,
    PRODUCTION_UPDATED,
    PRODUCTION_ROLLED_BACK,
    PRODUCTION_RESTARTED,
    STAGING_COPIED,
    MERGED,
    TRIAL_CHANGED,
    BACKUP_CREATED,
    BACKUP_RESTORED,
    BACKUP_FAILED,
    BACKUPS_PRUNED,
    BACKUP_VERIFIED,
    BACKUP_VERIFICATION_FAILED,
    DATABASE_IMPORTED,
    BACKUP_DOWNLOADED,
    /** Production did not answer the platform's probes for longer than {@code monitor.down-alert-after}. */
    PRODUCTION_DOWN,
    /** Production answers again after it was down. */
    PRODUCTION_UP,
}
