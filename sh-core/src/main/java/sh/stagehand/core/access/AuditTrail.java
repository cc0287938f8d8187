package sh.stagehand.core.access;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Records privileged actions in the audit log, the platform's or a project's, and in the
 * platform's log. Thread-safe.
 */
final class AuditTrail
{
    // The category the audit lines always had: what operators filter on.
    private static final Logger log = LoggerFactory.getLogger(AccountService.class);

    private final AccountStore store;
    private final Clock clock;

    AuditTrail(AccountStore store, Clock clock)
    {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    void record(Optional<String> projectId, String actor, AuditAction action, String detail)
    {
        store.appendAudit(new AuditEvent(0, projectId, actor, action, detail, clock.instant()));
        log.info("Audit: {} {} {}{}", actor, action, detail, projectId.map(project -> " in " + project).orElse(""));
    }
}
