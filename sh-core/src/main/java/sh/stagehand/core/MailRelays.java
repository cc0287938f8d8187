package sh.stagehand.core;

import sh.stagehand.core.config.StagehandConfig;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.mail.MailMessage;
import sh.stagehand.spi.mail.MailRelay;

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

    static MailRelay none()
    {
        return new MailRelay()
        {
            @Override
            public void relay(MailMessage message)
            {
                throw new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, "Production mail is sent through a relay, and none is configured: set "
                        + StagehandConfig.ProviderKind.MAIL_RELAY.key() + " (e.g. smtp-relay, with smtp-relay.host) and restart; the mail stays queued until then");
            }

            @Override
            public void close() {}
        };
    }
}
