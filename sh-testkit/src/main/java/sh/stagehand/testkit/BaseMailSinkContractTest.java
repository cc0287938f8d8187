package sh.stagehand.testkit;

import org.junit.jupiter.api.Test;
import sh.stagehand.spi.mail.CapturedMail;
import sh.stagehand.spi.mail.MailMessage;
import sh.stagehand.spi.mail.MailSink;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every capturing {@link MailSink} must do.
 */
public abstract class BaseMailSinkContractTest
{
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    /** The sink under test; the same instance for every test of one class. */
    protected abstract MailSink sink();

    @Test
    public void testKeepsMailPerBuild()
    {
        MailMessage first = message("build-a-" + run, "Invoice INV/2026/0001");
        MailMessage second = message("build-a-" + run, "Quotation S00042");
        MailMessage other = message("build-b-" + run, "Welcome");

        CapturedMail capturedFirst = sink().accept(first);
        sink().accept(second);
        sink().accept(other);

        assertThat(capturedFirst.message()).isEqualTo(first);
        assertThat(sink().list("build-a-" + run)).extracting(CapturedMail::message).containsExactly(first, second);
        assertThat(sink().list("build-b-" + run)).extracting(CapturedMail::message).containsExactly(other);
        assertThat(sink().list("build-c-" + run)).isEmpty();
        assertThat(sink().get(capturedFirst.id())).contains(capturedFirst);
        assertThat(sink().get("no-such-mail-" + run)).isEmpty();
    }

    @Test
    public void testKeepsRawMessageByteForByte()
    {
        MailMessage message = message("build-raw-" + run, "Ünïcödé subject ✓");
        CapturedMail captured = sink().accept(message);

        CapturedMail read = sink().get(captured.id()).orElseThrow();
        assertThat(read.message().rawMessage()).isEqualTo(message.rawMessage());
        assertThat(read.message().subject()).isEqualTo("Ünïcödé subject ✓");
        assertThat(read.message().htmlBody()).contains("<p>Hello</p>");
    }

    @Test
    public void testPurgesMailOfOneBuild()
    {
        sink().accept(message("build-purge-" + run, "one"));
        sink().accept(message("build-purge-" + run, "two"));
        sink().accept(message("build-keep-" + run, "three"));

        assertThat(sink().purge("build-purge-" + run)).isEqualTo(2);
        assertThat(sink().list("build-purge-" + run)).isEmpty();
        assertThat(sink().list("build-keep-" + run)).hasSize(1);
        assertThat(sink().purge("build-purge-" + run)).isZero();
    }

    protected static MailMessage message(String buildId, String subject)
    {
        String raw = "From: Admin <admin@example.com>\r\nTo: customer@example.com\r\nSubject: " + subject + "\r\n\r\nHello\r\n";
        return new MailMessage(buildId, "admin@example.com", List.of("customer@example.com"), raw.getBytes(StandardCharsets.UTF_8),
                subject, "Admin <admin@example.com>", "customer@example.com", Optional.of("Hello"), Optional.of("<p>Hello</p>"));
    }
}
