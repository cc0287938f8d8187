package sh.stagehand.core.mail;

import sh.stagehand.spi.ProviderContext;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.mail.MailSink;
import sh.stagehand.spi.mail.MailSinkFactory;

import java.util.Map;

/**
 * {@code mail.type=memory}; key {@code memory.max-messages-per-build} (default 1000): older
 * messages of a build are forgotten past it.
 */
public final class InMemoryMailSinkFactory
        implements MailSinkFactory
{
    public static final String NAME = "memory";
    public static final String MAX_MESSAGES_PER_BUILD = "memory.max-messages-per-build";

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public MailSink create(Map<String, String> config, ProviderContext context)
    {
        int max = 1000;
        for (Map.Entry<String, String> entry : config.entrySet()) {
            if (!entry.getKey().equals(MAX_MESSAGES_PER_BUILD)) {
                throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, "Unknown configuration key " + entry.getKey() + "; the memory mail sink knows " + MAX_MESSAGES_PER_BUILD);
            }
            try {
                max = Integer.parseInt(entry.getValue().strip());
            }
            catch (NumberFormatException e) {
                max = -1;
            }
            if (max < 1) {
                throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, MAX_MESSAGES_PER_BUILD + "=" + entry.getValue() + " is not a positive whole number");
            }
        }
        return new InMemoryMailSink(max, context.clock());
    }
}
