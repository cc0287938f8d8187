package sh.stagehand.spi.mail;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * A message a {@link MailSink} kept.
 *
 * @param id the sink's id for it, unique within the sink
 * @param receivedAt when the sink accepted it
 * @param message the message
 */
public record CapturedMail(String id, Instant receivedAt, MailMessage message)
{
    public CapturedMail
    {
        requireNonNull(id, "id is null");
        requireNonNull(receivedAt, "receivedAt is null");
        requireNonNull(message, "message is null");
    }
}
