package sh.stagehand.core.store;

import sh.stagehand.core.mail.OutboundMail;
import sh.stagehand.spi.mail.MailMessage;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The queue of production mail on its way to the relay. Once {@link #enqueue} returns, the
 * message is kept even if the platform stops. Implementations are thread-safe.
 */
public interface OutboundMailStore
{
    /**
     * Keeps a message for delivery, due at once.
     */
    OutboundMail enqueue(String projectId, MailMessage message, Instant at);

    /**
     * @return queued messages due at {@code now}, oldest first, at most {@code limit}
     */
    List<OutboundMail> dueMail(Instant now, int limit);

    /**
     * Makes every queued message due at {@code now}: what a platform does at its start, when its
     * relay may have changed.
     *
     * @return how many are queued
     */
    int makeAllDue(Instant now);

    /**
     * Records a delivery attempt of a queued message: its new state, when it is tried next (while
     * queued), the relay's answer, and when it finished (once sent or bounced).
     */
    void recordAttempt(long id, OutboundMail.State state, Optional<Instant> nextAttemptAt, Optional<String> error, Optional<Instant> finishedAt);

    /**
     * @return the project's production mail, newest first, at most {@code limit}
     */
    List<OutboundMail> listOutboundMail(String projectId, int limit);

    Optional<OutboundMail> findOutboundMail(long id);
}
