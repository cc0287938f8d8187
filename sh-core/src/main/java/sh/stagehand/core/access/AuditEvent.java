package sh.stagehand.core.access;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One line of the audit log: who did what, and when.
 *
 * @param id its order, given by the store
 * @param projectId the project it was done on; empty for an account's own (its tokens, keys, logins)
 * @param actor the login that did it
 * @param detail what it was done to, in words ("main from development to production")
 */
public record AuditEvent(long id, Optional<String> projectId, String actor, AuditAction action, String detail, Instant at)
{
    public AuditEvent
    {
        requireNonNull(projectId, "projectId is null");
        requireNonNull(actor, "actor is null");
        requireNonNull(action, "action is null");
        requireNonNull(detail, "detail is null");
        requireNonNull(at, "at is null");
    }
}
