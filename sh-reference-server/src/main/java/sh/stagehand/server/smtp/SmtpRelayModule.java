package sh.stagehand.server.smtp;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import sh.stagehand.spi.ProviderContext;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.mail.MailRelay;
import sh.stagehand.spi.mail.MailRelayFactory;

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
        MapBinder.newMapBinder(binder(), String.class, MailRelayFactory.class)
                .addBinding(NAME).toInstance(new MailRelayFactory()
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
                    public MailRelay create(Map<String, String> config, ProviderContext context)
                    {
                        return new SmtpMailRelay(SmtpRelayConfig.fromMap(config));
                    }
                });
    }
}
