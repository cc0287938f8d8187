package sh.stagehand.server;

import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.server.SMTPServer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An outside mail relay (an SMTP server on the loopback, as an operator's provider stands) that
 * keeps what it receives: each message as {@code "RCPT <recipients>\n<message>"}.
 */
public final class TestingSmtpRelay
        implements AutoCloseable
{
    private final SMTPServer server;
    private final List<String> received = new CopyOnWriteArrayList<>();

    private TestingSmtpRelay()
    {
        server = SMTPServer.port(0)
                .hostName("relay.test")
                .messageHandlerFactory(context -> new Received())
                .build();
    }

    public static TestingSmtpRelay start()
    {
        TestingSmtpRelay relay = new TestingSmtpRelay();
        relay.server.start();
        return relay;
    }

    /**
     * The keys that make the platform relay production's mail through this server.
     */
    public Map<String, String> properties()
    {
        return Map.of(
                "mail.relay-type", "smtp-relay",
                "smtp-relay.host", "127.0.0.1",
                "smtp-relay.port", Integer.toString(server.getPortAllocated()),
                "smtp-relay.starttls", "false");
    }

    /**
     * What the relay received so far, in order.
     */
    public List<String> received()
    {
        return List.copyOf(received);
    }

    /**
     * What the relay received once it holds at least {@code count} messages, or within the
     * timeout, whichever comes first.
     */
    public List<String> awaitReceived(int count, Duration timeout)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (received.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return received();
    }

    @Override
    public void close()
    {
        server.stop();
    }

    private final class Received
            implements MessageHandler
    {
        private final List<String> recipients = new ArrayList<>();

        @Override
        public void from(String from) {}

        @Override
        public void recipient(String recipient)
        {
            recipients.add(recipient);
        }

        @Override
        public String data(InputStream data)
                throws IOException
        {
            received.add("RCPT " + String.join(",", recipients) + "\n" + new String(data.readAllBytes(), StandardCharsets.UTF_8));
            return null;
        }

        @Override
        public void done() {}
    }
}
