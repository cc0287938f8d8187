package sh.stagehand.server.smtp;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.server.SMTPServer;
import sh.stagehand.core.MailService;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.mail.MailMessage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import static java.util.Objects.requireNonNull;

/**
 * An SMTP server for the mail builds send (as Odoo sends it, with smtplib). A client must log in
 * (AUTH PLAIN or LOGIN) with its build's credentials; the message is attributed to that build and
 * given to the {@link MailService}, which keeps it, or relays it for a production build.
 * Thread-safe.
 */
public final class MailCatcher
        implements AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(MailCatcher.class);
    private static final int MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

    private final MailService mail;
    private final SMTPServer server;

    public MailCatcher(MailService mail, InetAddress bindAddress, int port)
    {
        this.mail = requireNonNull(mail, "mail is null");
        this.server = SMTPServer.port(port)
                .bindAddress(bindAddress)
                .hostName("stagehand-mail-catcher")
                .requireAuth(true)
                .authenticationHandlerFactory(new EasyAuthenticationHandlerFactory(this::login))
                .messageHandlerFactory(Handler::new)
                .maxMessageSize(MAX_MESSAGE_BYTES)
                .build();
    }

    public MailCatcher start()
    {
        server.start();
        log.info("Mail catcher listening on {}:{}", server.getBindAddress().map(InetAddress::getHostAddress).orElse("*"), port());
        return this;
    }

    public int port()
    {
        return server.getPortAllocated();
    }

    @Override
    public void close()
    {
        server.stop();
    }

    private void login(String user, String password, MessageContext context)
            throws LoginFailedException
    {
        if (mail.authenticate(user, password).isEmpty()) {
            log.info("Mail catcher refused a login as '{}' from {}", user, context.getRemoteAddress());
            throw new LoginFailedException("Unknown build or wrong password");
        }
    }

    private final class Handler
            implements MessageHandler
    {
        private final MessageContext context;
        private String envelopeFrom = "";
        private final List<String> recipients = new ArrayList<>();

        Handler(MessageContext context)
        {
            this.context = context;
        }

        @Override
        public void from(String from)
        {
            envelopeFrom = from;
        }

        @Override
        public void recipient(String recipient)
        {
            recipients.add(recipient);
        }

        @Override
        public String data(InputStream data)
                throws IOException, RejectException
        {
            String buildId = context.getAuthenticationHandler()
                    .map(handler -> String.valueOf(handler.getIdentity()))
                    .orElseThrow(() -> new RejectException(530, "Authentication required: log in with the build's SMTP credentials"));
            byte[] raw = data.readAllBytes();
            try {
                MailMessage message = parse(buildId, envelopeFrom, recipients, raw);
                mail.deliver(message);
                log.debug("Took a mail of build {}: {}", buildId, message.subject());
                return null;
            }
            catch (StagehandException e) {
                // The sender retries a temporary failure: nothing is lost while the store is down.
                throw new RejectException(451, "Cannot keep the message now: " + e.getMessage());
            }
        }

        @Override
        public void done() {}
    }

    static MailMessage parse(String buildId, String envelopeFrom, List<String> recipients, byte[] raw)
    {
        try {
            MimeMessage mime = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
            Parts parts = new Parts();
            parts.collect(mime);
            return new MailMessage(buildId, envelopeFrom, recipients, raw,
                    Optional.ofNullable(mime.getSubject()).orElse(""),
                    header(mime, "From"),
                    header(mime, "To"),
                    Optional.ofNullable(parts.text),
                    Optional.ofNullable(parts.html));
        }
        catch (MessagingException | IOException e) {
            // A message we cannot parse is still kept, raw, for a person to look at.
            return new MailMessage(buildId, envelopeFrom, recipients, raw, "(unparseable message: " + e.getMessage() + ")", "", "", Optional.empty(), Optional.empty());
        }
    }

    private static String header(MimeMessage mime, String name)
            throws MessagingException
    {
        String value = mime.getHeader(name, ", ");
        if (value == null) {
            return "";
        }
        try {
            return jakarta.mail.internet.MimeUtility.decodeText(value);
        }
        catch (java.io.UnsupportedEncodingException e) {
            return value;
        }
    }

    private static final class Parts
    {
        private String text;
        private String html;

        void collect(Part part)
                throws MessagingException, IOException
        {
            if (part.isMimeType("text/plain") && text == null && !Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition())) {
                text = String.valueOf(part.getContent());
            }
            else if (part.isMimeType("text/html") && html == null && !Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition())) {
                html = String.valueOf(part.getContent());
            }
            else if (part.isMimeType("multipart/*")) {
                Multipart multipart = (Multipart) part.getContent();
                for (int index = 0; index < multipart.getCount(); index++) {
                    BodyPart bodyPart = multipart.getBodyPart(index);
                    collect(bodyPart);
                }
            }
        }
    }
}
