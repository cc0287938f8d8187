package sh.stagehand.server.smtp;

import org.junit.jupiter.api.Test;
import sh.stagehand.spi.StagehandException;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SmtpRelayConfigTest
{
    @Test
    void testDefaults()
    {
        assertThat(SmtpRelayConfig.fromMap(Map.of("smtp-relay.host", "smtp.example.com")))
                .isEqualTo(new SmtpRelayConfig("smtp.example.com", 587, Optional.empty(), Optional.empty(), true));
    }

    @Test
    void testExplicitPropertyMappings()
    {
        SmtpRelayConfig config = SmtpRelayConfig.fromMap(Map.of(
                "smtp-relay.host", "relay.internal",
                "smtp-relay.port", "2525",
                "smtp-relay.user", "acme",
                "smtp-relay.password", "s3cret",
                "smtp-relay.starttls", "false"));
        assertThat(config).isEqualTo(new SmtpRelayConfig("relay.internal", 2525, Optional.of("acme"), Optional.of("s3cret"), false));
        assertThat(config.toString()).doesNotContain("s3cret");
    }

    @Test
    void testRejectsWhatCannotWorkNamingTheKey()
    {
        assertThatThrownBy(() -> SmtpRelayConfig.fromMap(Map.of())).isInstanceOf(StagehandException.class).hasMessageContaining("smtp-relay.host is not set");
        assertThatThrownBy(() -> SmtpRelayConfig.fromMap(Map.of("smtp-relay.host", "h", "smtp-relay.port", "70000"))).hasMessageContaining("smtp-relay.port=70000");
        assertThatThrownBy(() -> SmtpRelayConfig.fromMap(Map.of("smtp-relay.host", "h", "smtp-relay.starttls", "yes"))).hasMessageContaining("smtp-relay.starttls=yes");
        assertThatThrownBy(() -> SmtpRelayConfig.fromMap(Map.of("smtp-relay.host", "h", "smtp-relay.password", "p"))).hasMessageContaining("without smtp-relay.user");
        assertThatThrownBy(() -> SmtpRelayConfig.fromMap(Map.of("smtp-relay.host", "h", "smtp-relay.hots", "x"))).hasMessageContaining("Unknown configuration key smtp-relay.hots");
    }
}
