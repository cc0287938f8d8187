package sh.stagehand.server.smtp;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.AuthenticationHandler;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.SessionHandler;
import sh.stagehand.core.MailService;
import sh.stagehand.server.ServerLimits;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.mail.MailMessage;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Semaphore;

import static java.util.Objects.requireNonNull;

/**
 * An SMTP server for the mail builds send (as Odoo sends it, with smtplib). A client must log in
 * (AUTH PLAIN or LOGIN) with its build's credentials; the message is attributed to that build and
 * given to the {@link MailService}, which keeps it, or relays it for a production build.
 *
 * <p>A build's code is the tenant's, so what it can do here is bounded: failed logins from one
 * address make it wait ({@link AuthThrottle}); a message is read up to
 * {@link ServerLimits#MAX_MAIL_BYTES}, and messages read at once share a budget of memory; one
 * address holds a few connections at most. Thread-safe.
 */
public final class MailCatcher
        implements AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(MailCatcher.class);
    private static final int MAX_CONNECTIONS_PER_ADDRESS = 10;
    // Messages being read at once share this much memory; a sender past it is told to try later.
    private static final int MESSAGE_BUDGET_BYTES = 4 * ServerLimits.MAX_MAIL_BYTES;
    private static final int BUFFER_BYTES = 64 * 1024;

    private final MailService mail;
    private final AuthThrottle throttle;
    private final Semaphore messageBudget = new Semaphore(MESSAGE_BUDGET_BYTES);
    private final SMTPServer server;

    /**
     * @param authAttempts failed logins from one address before it waits ({@code smtp.auth-attempts})
     * @param authLockout its first wait, doubled at each further failure ({@code smtp.auth-lockout})
     */
    public MailCatcher(MailService mail, InetAddress bindAddress, int port, int authAttempts, Duration authLockout)
    {
        this.mail = requireNonNull(mail, "mail is null");
        this.throttle = new AuthThrottle(authAttempts, authLockout, Clock.systemUTC());
        this.server = SMTPServer.port(port)
                .bindAddress(bindAddress)
                .hostName("stagehand-mail-catcher")
                .requireAuth(true)
                .authenticationHandlerFactory(new ThrottledAuthentication(new EasyAuthenticationHandlerFactory(this::login)))
                .messageHandlerFactory(Handler::new)
                // Said in EHLO (SIZE), and enforced as the message is read (Handler.data).
                .maxMessageSize(ServerLimits.MAX_MAIL_BYTES)
                .sessionHandler(SessionHandler.limitConcurrentSessionsBySource(MAX_CONNECTIONS_PER_ADDRESS))
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
            // The user name is the sender's to choose: logged only if it is a build's id.
            log.info("Mail catcher refused a login as {} from {}", user.matches("[0-9]{1,19}") ? "build " + user : "a name that is no build id", context.getRemoteAddress());
            throw new LoginFailedException("Unknown build or wrong password");
        }
    }

    private static InetAddress address(MessageContext context)
    {
        return context.getRemoteAddress() instanceof InetSocketAddress socket ? socket.getAddress() : InetAddress.getLoopbackAddress();
    }

    /**
     * Logins through {@link AuthThrottle}: an address that waits is refused at once, with a 454 that
     * says how long, before its credentials are looked at.
     */
    private final class ThrottledAuthentication
            implements AuthenticationHandlerFactory
    {
        private final AuthenticationHandlerFactory checked;

        ThrottledAuthentication(AuthenticationHandlerFactory checked)
        {
            this.checked = checked;
        }

        @Override
        public List<String> getAuthenticationMechanisms()
        {
            return checked.getAuthenticationMechanisms();
        }

        @Override
        public AuthenticationHandler create()
        {
            AuthenticationHandler handler = checked.create();
            return new AuthenticationHandler()
            {
                @Override
                public Optional<String> auth(String clientInput, MessageContext context)
                        throws RejectException
                {
                    InetAddress address = address(context);
                    Optional<Duration> wait = throttle.waitFor(address);
                    if (wait.isPresent()) {
                        throw new RejectException(454, "4.7.0 Too many failed logins from " + address.getHostAddress() + "; try again in " + seconds(wait.get()) + " s");
                    }
                    try {
                        Optional<String> challenge = handler.auth(clientInput, context);
                        if (challenge.isEmpty()) {
                            throttle.succeeded(address);
                        }
                        return challenge;
                    }
                    catch (RejectException e) {
                        if (e.getCode() == 535) {
                            throttle.failed(address).ifPresent(lockout -> log.warn("Mail catcher: too many failed logins from {}; it waits {} s before it may try again",
                                    address.getHostAddress(), seconds(lockout)));
                        }
                        throw e;
                    }
                }

                @Override
                public Object getIdentity()
                {
                    return handler.getIdentity();
                }
            };
        }

        private static long seconds(Duration wait)
        {
            return Math.max(1, (wait.toMillis() + 999) / 1000);
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
            int held = 0;
            try {
                ByteArrayOutputStream raw = new ByteArrayOutputStream(BUFFER_BYTES);
                byte[] buffer = new byte[BUFFER_BYTES];
                for (int read = data.read(buffer); read >= 0; read = data.read(buffer)) {
                    // The rest is not read: the connection is dropped, so no line of it is taken for a command.
                    if (raw.size() + (long) read > ServerLimits.MAX_MAIL_BYTES) {
                        log.info("Mail catcher refused a message of build {} over {} MiB", buildId, ServerLimits.MAX_MAIL_BYTES >> 20);
                        throw new DropConnectionException(552, "5.3.4 Message too big: a mail takes at most " + (ServerLimits.MAX_MAIL_BYTES >> 20) + " MiB here, attachments included");
                    }
                    if (!messageBudget.tryAcquire(read)) {
                        throw new DropConnectionException(452, "4.3.1 Too many large messages at once; try again later");
                    }
                    held += read;
                    raw.write(buffer, 0, read);
                }
                MailMessage message = parse(buildId, envelopeFrom, recipients, raw.toByteArray());
                mail.deliver(message);
                log.debug("Took a mail of build {}: {}", buildId, message.subject());
                return null;
            }
            catch (StagehandException e) {
                // The sender retries a temporary failure: nothing is lost while the store is down.
                throw new RejectException(451, "Cannot keep the message now: " + e.getMessage());
            }
            finally {
                messageBudget.release(held);
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
