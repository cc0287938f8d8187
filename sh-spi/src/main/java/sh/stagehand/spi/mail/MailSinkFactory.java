package sh.stagehand.spi.mail;

import sh.stagehand.spi.ProviderFactory;

/**
 * Creates {@link MailSink}s; configuration key {@code mail.type} picks one by {@link #name()}.
 */
public interface MailSinkFactory
        extends ProviderFactory<MailSink>
{
}
