package sh.stagehand.core;

import sh.stagehand.core.config.StagehandConfig;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.mail.CapturedMail;
import sh.stagehand.spi.mail.MailMessage;
import sh.stagehand.spi.mail.MailSink;

import java.util.List;
import java.util.Optional;

/**
 * The relay of a platform that has none configured ({@code mail.relay-type=none}): it refuses with a
 * temporary failure, so production's mail stays queued (shown so on its Mails tab) until a relay is
 * configured, and the message says what to set. Never caught instead: production mail that reached
 * no one would look sent.
 */
final class MailRelays
{
    static final String NONE = StagehandConfig.ProviderKind.MAIL_RELAY.defaultName();

    private MailRelays() {}

    static MailSink none()
    {
        return new MailSink()
        {
            @Override
            public CapturedMail accept(MailMessage message)
            {
                throw new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, "Production mail is sent through a relay, and none is configured: set "
                        + StagehandConfig.ProviderKind.MAIL_RELAY.key() + " (e.g. smtp-relay, with smtp-relay.host) and restart; the mail stays queued until then");
            }

            @Override
            public List<CapturedMail> list(String buildId)
            {
                return List.of();
            }

            @Override
            public Optional<CapturedMail> get(String id)
            {
                return Optional.empty();
            }

            @Override
            public int purge(String buildId)
            {
                return 0;
            }

            @Override
            public void close() {}
        };
    }
}
