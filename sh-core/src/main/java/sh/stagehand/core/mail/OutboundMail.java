package sh.stagehand.core.mail;

import sh.stagehand.spi.mail.CapturedMail;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A production mail the platform accepted and delivers through the relay: queued until the relay
 * takes it, then sent, or bounced when the relay refuses it for good or it waited too long.
 *
 * @param projectId the project whose production sent it
 * @param mail the message as accepted; its id is the queue's
 * @param state where it is
 * @param attempts how many times the relay was tried
 * @param nextAttemptAt when it is tried next, while queued
 * @param lastError what the relay last answered, if it did not take it
 * @param finishedAt when it was sent or bounced
 */
public record OutboundMail(
        String projectId,
        CapturedMail mail,
        State state,
        int attempts,
        Optional<Instant> nextAttemptAt,
        Optional<String> lastError,
        Optional<Instant> finishedAt)
{
    public enum State
    {
        /** Accepted, not yet taken by the relay. */
        QUEUED,
        /** Taken by the relay. */
        SENT,
        /** Refused by the relay for good, or queued too long: it will not be sent. */
        BOUNCED,
    }

    public OutboundMail
    {
        requireNonNull(projectId, "projectId is null");
        requireNonNull(mail, "mail is null");
        requireNonNull(state, "state is null");
        requireNonNull(nextAttemptAt, "nextAttemptAt is null");
        requireNonNull(lastError, "lastError is null");
        requireNonNull(finishedAt, "finishedAt is null");
    }

    public long id()
    {
        return Long.parseLong(mail.id());
    }
}
