package sh.stagehand.spi.mail;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One message as an SMTP server received it, with the parts a person looks at already parsed.
 *
 * @param buildId the build that sent it
 * @param envelopeFrom SMTP {@code MAIL FROM}
 * @param envelopeRecipients SMTP {@code RCPT TO}, in order
 * @param rawMessage the RFC 822 message, byte for byte
 * @param subject the decoded {@code Subject} header, empty string when absent
 * @param from the decoded {@code From} header, empty string when absent
 * @param to the decoded {@code To} header, empty string when absent
 * @param textBody the first {@code text/plain} part
 * @param htmlBody the first {@code text/html} part
 */
public record MailMessage(
        String buildId,
        String envelopeFrom,
        List<String> envelopeRecipients,
        byte[] rawMessage,
        String subject,
        String from,
        String to,
        Optional<String> textBody,
        Optional<String> htmlBody)
{
    public MailMessage
    {
        requireNonNull(buildId, "buildId is null");
        requireNonNull(envelopeFrom, "envelopeFrom is null");
        envelopeRecipients = List.copyOf(requireNonNull(envelopeRecipients, "envelopeRecipients is null"));
        rawMessage = requireNonNull(rawMessage, "rawMessage is null").clone();
        requireNonNull(subject, "subject is null");
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        requireNonNull(textBody, "textBody is null");
        requireNonNull(htmlBody, "htmlBody is null");
    }

    @Override
    public byte[] rawMessage()
    {
        return rawMessage.clone();
    }

    @Override
    public boolean equals(Object other)
    {
        return other instanceof MailMessage that
                && buildId.equals(that.buildId)
                && envelopeFrom.equals(that.envelopeFrom)
                && envelopeRecipients.equals(that.envelopeRecipients)
                && Arrays.equals(rawMessage, that.rawMessage)
                && subject.equals(that.subject)
                && from.equals(that.from)
                && to.equals(that.to)
                && textBody.equals(that.textBody)
                && htmlBody.equals(that.htmlBody);
    }

    @Override
    public int hashCode()
    {
        return buildId.hashCode() * 31 + Arrays.hashCode(rawMessage);
    }

    @Override
    public String toString()
    {
        return "MailMessage[build=" + buildId + ", from=" + envelopeFrom + ", to=" + envelopeRecipients + ", subject=" + subject + ", " + rawMessage.length + " bytes]";
    }
}
