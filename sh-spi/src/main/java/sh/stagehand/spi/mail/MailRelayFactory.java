package sh.stagehand.spi.mail;

import sh.stagehand.spi.ProviderFactory;

/**
 * Creates {@link MailRelay}s; configuration key {@code mail.relay-type} picks one by {@link #name()}.
 */
public interface MailRelayFactory
        extends ProviderFactory<MailRelay>
{
}
