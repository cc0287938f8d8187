package sh.stagehand.core.mail;

import sh.stagehand.spi.ProviderContext;
import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.config.ConfigType;
import sh.stagehand.spi.mail.MailSink;
import sh.stagehand.spi.mail.MailSinkFactory;

import java.util.Map;

/**
 * {@code mail.type=memory}; its key is {@link #MAX_MESSAGES_PER_BUILD}.
 */
public final class InMemoryMailSinkFactory
        implements MailSinkFactory
{
    public static final String NAME = "memory";
    public static final ConfigKey<Integer> MAX_MESSAGES_PER_BUILD = ConfigKey.of("memory.max-messages-per-build", ConfigType.positiveInteger(), "1000",
            "the messages kept of each build; older ones are forgotten past it");
    public static final ConfigKeys KEYS = ConfigKeys.of("the memory mail sink", MAX_MESSAGES_PER_BUILD);

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public ConfigKeys configKeys()
    {
        return KEYS;
    }

    @Override
    public MailSink create(Map<String, String> config, ProviderContext context)
    {
        return new InMemoryMailSink(KEYS.read(config).get(MAX_MESSAGES_PER_BUILD), context.clock());
    }
}
