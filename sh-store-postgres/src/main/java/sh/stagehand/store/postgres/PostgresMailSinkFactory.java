package sh.stagehand.store.postgres;

import jakarta.inject.Inject;
import sh.stagehand.postgres.PostgresConfig;
import sh.stagehand.spi.ProviderContext;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.mail.MailSink;
import sh.stagehand.spi.mail.MailSinkFactory;

import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * {@code mail.type=postgres}: captured mail in the metadata database; its keys are the
 * {@code postgres.} keys of {@link PostgresConfig}.
 */
public final class PostgresMailSinkFactory
        implements MailSinkFactory
{
    public static final String NAME = "postgres";

    private final SecretBox secrets;

    @Inject
    public PostgresMailSinkFactory(SecretBox secrets)
    {
        this.secrets = requireNonNull(secrets, "secrets is null");
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public ConfigKeys configKeys()
    {
        return PostgresConfig.KEYS;
    }

    @Override
    public MailSink create(Map<String, String> config, ProviderContext context)
    {
        return new PostgresMailSink(PostgresConfig.fromMap(config), secrets, context.clock());
    }
}
