package sh.stagehand.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.mail.OutboundMail;
import sh.stagehand.core.store.OutboundMailStore;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.mail.MailRelay;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Delivers the queue of production mail through the relay, as a mail server does: each message is
 * tried at once, and again after a temporary failure ({@code PROVIDER_UNAVAILABLE}: the relay
 * down, none configured yet) with a back-off doubling from a minute to an hour; it bounces when the
 * relay refuses it for good (any other error) or it has waited {@code maxAge}. At start every
 * queued message is due again, so a relay configured since drains the queue at once. A message the
 * relay took but whose sending could not be recorded is sent again (at least once, as SMTP is).
 * One thread sends, so no message goes out twice at the same time. Thread-safe.
 */
public final class OutboundMailSender
        implements AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(OutboundMailSender.class);
    private static final Duration FIRST_RETRY = Duration.ofMinutes(1);
    private static final Duration LAST_RETRY = Duration.ofHours(1);
    private static final Duration ROUND_INTERVAL = Duration.ofSeconds(15);
    private static final int BATCH = 50;

    private final OutboundMailStore queue;
    private final MailRelay relay;
    private final Duration maxAge;
    private final Clock clock;
    private ScheduledExecutorService sender;

    public OutboundMailSender(OutboundMailStore queue, MailRelay relay, Duration maxAge, Clock clock)
    {
        this.queue = requireNonNull(queue, "queue is null");
        this.relay = requireNonNull(relay, "relay is null");
        this.maxAge = requireNonNull(maxAge, "maxAge is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Makes every queued message due and starts sending. Idempotent.
     */
    public synchronized void start()
    {
        if (sender != null) {
            return;
        }
        int queued = queue.makeAllDue(clock.instant());
        if (queued > 0) {
            log.info("{} production mail(s) queued from before the start go out now", queued);
        }
        sender = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "stagehand-outbound-mail");
            thread.setDaemon(true);
            return thread;
        });
        sender.scheduleWithFixedDelay(this::sendDue, 0, ROUND_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Sends what is due now rather than at the next round: a message was just queued.
     */
    public synchronized void wake()
    {
        if (sender == null) {
            return;
        }
        try {
            sender.execute(this::sendDue);
        }
        catch (RejectedExecutionException e) {
            // Stopping: the next start sends it.
        }
    }

    /**
     * One round, on the sender's thread (or a test's): every due message tried once.
     */
    void sendDue()
    {
        try {
            List<OutboundMail> due;
            do {
                due = queue.dueMail(clock.instant(), BATCH);
                for (OutboundMail mail : due) {
                    send(mail);
                }
            }
            // A relay that answers at once leaves nothing due; one that fails leaves them for later.
            while (due.size() == BATCH && !Thread.currentThread().isInterrupted());
        }
        catch (RuntimeException e) {
            log.warn("Cannot go through the queue of production mail now; the next round tries again", e);
        }
    }

    private void send(OutboundMail mail)
    {
        try {
            relay.relay(mail.mail().message());
            queue.recordAttempt(mail.id(), OutboundMail.State.SENT, Optional.empty(), Optional.empty(), Optional.of(clock.instant()));
            log.info("Sent production mail {} of {} ({}) to {}", mail.id(), mail.projectId(), mail.mail().message().subject(), mail.mail().message().envelopeRecipients());
        }
        catch (StagehandException e) {
            Instant now = clock.instant();
            boolean temporary = e.errorCode().equals(StandardErrorCode.PROVIDER_UNAVAILABLE.toErrorCode());
            if (temporary && now.isBefore(mail.mail().receivedAt().plus(maxAge))) {
                Instant next = now.plus(backOff(mail.attempts() + 1));
                queue.recordAttempt(mail.id(), OutboundMail.State.QUEUED, Optional.of(next), Optional.of(e.getMessage()), Optional.empty());
                log.info("Production mail {} of {} stays queued, tried again at {}: {}", mail.id(), mail.projectId(), next, e.getMessage());
            }
            else {
                String why = temporary ? "Not sent within " + maxAge.toHours() + " hours; last: " + e.getMessage() : e.getMessage();
                queue.recordAttempt(mail.id(), OutboundMail.State.BOUNCED, Optional.empty(), Optional.of(why), Optional.of(now));
                log.warn("Production mail {} of {} bounced: {}", mail.id(), mail.projectId(), why);
            }
        }
    }

    /**
     * One minute after the first attempt, doubling, at most an hour.
     */
    static Duration backOff(int attempts)
    {
        Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(attempts - 1, 10));
        return wait.compareTo(LAST_RETRY) > 0 ? LAST_RETRY : wait;
    }

    @Override
    public synchronized void close()
    {
        if (sender != null) {
            sender.shutdownNow();
        }
    }
}
