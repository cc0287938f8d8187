package sh.stagehand.spi.mail;

/**
 * Delivers the mail production sends to its recipients (an SMTP relay, a mail service's API): the
 * relaying role, apart from the catching one of {@link MailSink}. The platform queues production's
 * mail first and hands each message here until it is delivered or too old.
 *
 * <p>Implementations are thread-safe.
 */
public interface MailRelay
        extends AutoCloseable
{
    /**
     * Delivers one message to its envelope recipients, unchanged. Once this returns, the relay
     * has it.
     *
     * @throws sh.stagehand.spi.StagehandException {@code PROVIDER_UNAVAILABLE} for a failure worth
     *         retrying (the relay cannot be reached, it answered 4xx): the message stays queued;
     *         any other code for one the relay refuses for good (5xx): it bounces
     */
    void relay(MailMessage message);

    @Override
    void close();
}
