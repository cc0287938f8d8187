package sh.stagehand.server.smtp;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.spi.ProviderFactory;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.mail.MailMessage;
import sh.stagehand.spi.mail.MailRelay;

import java.io.ByteArrayInputStream;
import java.util.Properties;

import static java.util.Objects.requireNonNull;

/**
 * A {@link MailRelay} over SMTP: each message goes, unchanged and to its envelope recipients,
 * to an SMTP relay (the hosting company's, or the customer's mail service), with Angus Mail, the
 * Jakarta Mail implementation. It keeps nothing: production's mail is sent, never caught.
 * Thread-safe.
 */
public final class SmtpMailRelay
        implements MailRelay
{
    /** {@code mail.relay-type=smtp-relay}: production's mail goes out through it (see {@link SmtpRelayConfig}). */
    public static final ProviderFactory<MailRelay> FACTORY = ProviderFactory.of(MailRelay.class, "smtp-relay", SmtpRelayConfig.KEYS,
            (config, context) -> new SmtpMailRelay(SmtpRelayConfig.fromMap(config)));

    private static final Logger log = LoggerFactory.getLogger(SmtpMailRelay.class);

    private final SmtpRelayConfig config;

    public SmtpMailRelay(SmtpRelayConfig config)
    {
        this.config = requireNonNull(config, "config is null");
    }

    @Override
    public void relay(MailMessage message)
    {
        Properties properties = new Properties();
        properties.setProperty("mail.smtp.host", config.host());
        properties.setProperty("mail.smtp.port", Integer.toString(config.port()));
        properties.setProperty("mail.smtp.connectiontimeout", "10000");
        properties.setProperty("mail.smtp.timeout", "30000");
        properties.setProperty("mail.smtp.writetimeout", "30000");
        properties.setProperty("mail.smtp.auth", Boolean.toString(config.user().isPresent()));
        properties.setProperty("mail.smtp.starttls.enable", Boolean.toString(config.startTls()));
        properties.setProperty("mail.smtp.starttls.required", Boolean.toString(config.startTls()));
        // The envelope sender the build gave, not one read from the headers.
        properties.setProperty("mail.smtp.from", message.envelopeFrom());
        Session session = Session.getInstance(properties);
        try (Transport transport = session.getTransport("smtp")) {
            MimeMessage mime = new MimeMessage(session, new ByteArrayInputStream(message.rawMessage()));
            transport.connect(config.host(), config.port(), config.user().orElse(null), config.password().orElse(null));
            transport.sendMessage(mime, recipients(message));
        }
        catch (MessagingException e) {
            // A 5xx answer is the relay's refusal for good (the mail bounces); anything else, the
            // relay unreachable or a 4xx, is tried again later.
            StandardErrorCode code = permanent(e) ? StandardErrorCode.PROVIDER_ERROR : StandardErrorCode.PROVIDER_UNAVAILABLE;
            throw new StagehandException(code, "Cannot relay the mail of build " + message.buildId() + " through " + config.host() + ":" + config.port()
                    + ": " + e.getMessage(), e);
        }
        log.info("Relayed a mail of build {} to {} through {}:{}", message.buildId(), message.envelopeRecipients(), config.host(), config.port());
    }

    // Whether the relay answered with a permanent (5xx) failure, to any command of the exchange.
    private static boolean permanent(MessagingException e)
    {
        for (Exception cause = e; cause != null; cause = cause instanceof MessagingException messaging ? messaging.getNextException() : null) {
            int code = 0;
            if (cause instanceof SMTPSendFailedException failed) {
                code = failed.getReturnCode();
            }
            else if (cause instanceof SMTPAddressFailedException failed) {
                code = failed.getReturnCode();
            }
            else if (cause instanceof SMTPSenderFailedException failed) {
                code = failed.getReturnCode();
            }
            if (code >= 500) {
                return true;
            }
        }
        return false;
    }

    private static Address[] recipients(MailMessage message)
            throws AddressException
    {
        Address[] addresses = new Address[message.envelopeRecipients().size()];
        for (int index = 0; index < addresses.length; index++) {
            addresses[index] = new InternetAddress(message.envelopeRecipients().get(index), true);
        }
        return addresses;
    }

    @Override
    public void close() {}

    @Override
    public String toString()
    {
        return "SmtpMailRelay[" + config + "]";
    }
}
