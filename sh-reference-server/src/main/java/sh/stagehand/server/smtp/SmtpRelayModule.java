package sh.stagehand.server.smtp;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import sh.stagehand.spi.ProviderContext;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.mail.MailSink;
import sh.stagehand.spi.mail.MailSinkFactory;

import java.util.Map;

/**
 * Adds the SMTP relay, {@code mail.relay-type=smtp-relay}: production's mail goes out through it
 * (see {@link SmtpRelayConfig}).
 */
public final class SmtpRelayModule
        extends AbstractModule
{
    public static final String NAME = "smtp-relay";

    @Override
    protected void configure()
    {
        MapBinder.newMapBinder(binder(), String.class, MailSinkFactory.class)
                .addBinding(NAME).toInstance(new MailSinkFactory()
                {
                    @Override
                    public String name()
                    {
                        return NAME;
                    }

                    @Override
                    public ConfigKeys configKeys()
                    {
                        return SmtpRelayConfig.KEYS;
                    }

                    @Override
                    public MailSink create(Map<String, String> config, ProviderContext context)
                    {
                        return new SmtpRelayMailSink(SmtpRelayConfig.fromMap(config));
                    }
                });
    }
}
