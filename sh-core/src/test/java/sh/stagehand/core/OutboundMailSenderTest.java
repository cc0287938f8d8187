package sh.stagehand.core;

import org.junit.jupiter.api.Test;
import sh.stagehand.core.mail.OutboundMail;
import sh.stagehand.core.store.InMemoryPlatformStore;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.mail.MailMessage;
import sh.stagehand.spi.mail.MailRelay;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class OutboundMailSenderTest
{
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:00:00Z"));
    private final InMemoryPlatformStore queue = new InMemoryPlatformStore();
    private final Relay relay = new Relay();
    private final OutboundMailSender sender = new OutboundMailSender(queue, relay, Duration.ofHours(72), clock);

    @Test
    void testAMailQueuedWhileTheRelayIsDownGoesOutWhenItIsBackAfterItsBackOff()
    {
        OutboundMail queued = queue.enqueue("acme", message("Welcome"), clock.instant());
        relay.answer = new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, "connection refused");

        sender.sendDue();
        OutboundMail waiting = queue.findOutboundMail(queued.id()).orElseThrow();
        assertThat(waiting.state()).isEqualTo(OutboundMail.State.QUEUED);
        assertThat(waiting.attempts()).isEqualTo(1);
        assertThat(waiting.lastError()).contains("connection refused");
        assertThat(waiting.nextAttemptAt()).contains(clock.instant().plus(Duration.ofMinutes(1)));

        // Not due yet: the relay is not asked again.
        relay.answer = null;
        clock.advance(Duration.ofSeconds(30));
        sender.sendDue();
        assertThat(relay.sent).isEmpty();

        clock.advance(Duration.ofSeconds(30));
        sender.sendDue();
        OutboundMail sent = queue.findOutboundMail(queued.id()).orElseThrow();
        assertThat(sent.state()).isEqualTo(OutboundMail.State.SENT);
        assertThat(sent.attempts()).isEqualTo(2);
        assertThat(sent.finishedAt()).contains(clock.instant());
        assertThat(relay.sent).containsExactly("Welcome");
    }

    @Test
    void testBackOffDoublesFromAMinuteToAnHour()
    {
        assertThat(OutboundMailSender.backOff(1)).isEqualTo(Duration.ofMinutes(1));
        assertThat(OutboundMailSender.backOff(2)).isEqualTo(Duration.ofMinutes(2));
        assertThat(OutboundMailSender.backOff(6)).isEqualTo(Duration.ofMinutes(32));
        assertThat(OutboundMailSender.backOff(7)).isEqualTo(Duration.ofHours(1));
        assertThat(OutboundMailSender.backOff(500)).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void testARefusalForGoodBouncesAtOnceAndALongWaitBouncesAfterTheMaximumAge()
    {
        OutboundMail refused = queue.enqueue("acme", message("Refused"), clock.instant());
        relay.answer = new StagehandException(StandardErrorCode.PROVIDER_ERROR, "550 5.1.1 no such user");
        sender.sendDue();
        OutboundMail bounced = queue.findOutboundMail(refused.id()).orElseThrow();
        assertThat(bounced.state()).isEqualTo(OutboundMail.State.BOUNCED);
        assertThat(bounced.lastError()).contains("550 5.1.1 no such user");

        OutboundMail waiting = queue.enqueue("acme", message("Waiting"), clock.instant());
        relay.answer = new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, "no relay is configured");
        for (int hour = 0; hour < 72; hour++) {
            sender.sendDue();
            assertThat(queue.findOutboundMail(waiting.id()).orElseThrow().state()).isEqualTo(OutboundMail.State.QUEUED);
            clock.advance(Duration.ofHours(1));
        }
        sender.sendDue();
        OutboundMail expired = queue.findOutboundMail(waiting.id()).orElseThrow();
        assertThat(expired.state()).isEqualTo(OutboundMail.State.BOUNCED);
        assertThat(expired.lastError().orElseThrow()).startsWith("Not sent within 72 hours").contains("no relay is configured");
        assertThat(relay.sent).isEmpty();
    }

    @Test
    void testAStartMakesEveryQueuedMailDueAtOnce()
    {
        OutboundMail queued = queue.enqueue("acme", message("From before"), clock.instant());
        relay.answer = new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, "no relay is configured");
        sender.sendDue();
        sender.sendDue();
        assertThat(queue.findOutboundMail(queued.id()).orElseThrow().nextAttemptAt()).contains(clock.instant().plus(Duration.ofMinutes(1)));

        // A restart with a relay configured: what waited goes out without waiting out its back-off.
        relay.answer = null;
        assertThat(queue.makeAllDue(clock.instant())).isEqualTo(1);
        sender.sendDue();
        assertThat(queue.findOutboundMail(queued.id()).orElseThrow().state()).isEqualTo(OutboundMail.State.SENT);
        assertThat(queue.listOutboundMail("acme", 10)).extracting(OutboundMail::state).containsExactly(OutboundMail.State.SENT);
        assertThat(queue.listOutboundMail("other", 10)).isEmpty();
    }

    private static MailMessage message(String subject)
    {
        return new MailMessage("7", "odoo@acme.example", List.of("customer@example.com"), ("Subject: " + subject + "\r\n\r\nHello\r\n").getBytes(StandardCharsets.US_ASCII),
                subject, "odoo@acme.example", "customer@example.com", Optional.of("Hello"), Optional.empty());
    }

    // A relay of the test's: takes the mail, or answers as it is told.
    private static final class Relay
            implements MailRelay
    {
        private final List<String> sent = new ArrayList<>();
        private StagehandException answer;

        @Override
        public void relay(MailMessage message)
        {
            if (answer != null) {
                throw answer;
            }
            sent.add(message.subject());
        }

        @Override
        public void close() {}
    }
}
