package sh.stagehand.spi.mail;

import sh.stagehand.spi.StagehandException;

import java.util.List;
import java.util.Optional;

/**
 * Catches the mail development and staging builds send and keeps it for people to read: nothing
 * leaves the platform. Production's mail is delivered by a {@link MailRelay}.
 *
 * <p>Implementations are thread-safe.
 */
public interface MailSink
        extends AutoCloseable
{
    /**
     * Takes one message. Once this returns, the message is kept (or relayed) even if the platform
     * stops.
     *
     * @return the kept message
     * @throws StagehandException {@code PROVIDER_UNAVAILABLE} if it cannot be kept; the SMTP
     *         server then answers with a temporary failure so that the sender retries
     */
    CapturedMail accept(MailMessage message);

    /**
     * @return the kept messages of the build, oldest first
     */
    List<CapturedMail> list(String buildId);

    /**
     * @return the kept message, or empty if there is none with that id
     */
    Optional<CapturedMail> get(String id);

    /**
     * Forgets every message of the build.
     *
     * @return how many were forgotten
     */
    int purge(String buildId);

    @Override
    void close();
}
