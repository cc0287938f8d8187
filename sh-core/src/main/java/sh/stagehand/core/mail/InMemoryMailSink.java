package sh.stagehand.core.mail;

import sh.stagehand.spi.ProviderFactory;
import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.config.ConfigType;
import sh.stagehand.spi.mail.CapturedMail;
import sh.stagehand.spi.mail.MailMessage;
import sh.stagehand.spi.mail.MailSink;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/**
 * Keeps captured mail in memory, at most {@code maxMessagesPerBuild} per build (oldest forgotten
 * first). Thread-safe.
 */
public final class InMemoryMailSink
        implements MailSink
{
    /** {@code mail.type=memory}; its key is {@link #MAX_MESSAGES_PER_BUILD}. */
    public static final String NAME = "memory";
    public static final ConfigKey<Integer> MAX_MESSAGES_PER_BUILD = ConfigKey.of(NAME + ".max-messages-per-build", ConfigType.positiveInteger(), "1000",
            "the messages kept of each build; older ones are forgotten past it");
    private static final ConfigKeys KEYS = ConfigKeys.of("the memory mail sink", MAX_MESSAGES_PER_BUILD);
    public static final ProviderFactory<MailSink> FACTORY = ProviderFactory.of(MailSink.class, NAME, KEYS,
            (config, context) -> new InMemoryMailSink(KEYS.read(config).get(MAX_MESSAGES_PER_BUILD), context.clock()));

    private final int maxMessagesPerBuild;
    private final Clock clock;
    private final Map<String, Deque<CapturedMail>> byBuild = new HashMap<>();
    private final Map<String, CapturedMail> byId = new HashMap<>();

    public InMemoryMailSink(int maxMessagesPerBuild, Clock clock)
    {
        if (maxMessagesPerBuild < 1) {
            throw new IllegalArgumentException("maxMessagesPerBuild must be positive: " + maxMessagesPerBuild);
        }
        this.maxMessagesPerBuild = maxMessagesPerBuild;
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public synchronized CapturedMail accept(MailMessage message)
    {
        CapturedMail captured = new CapturedMail(UUID.randomUUID().toString(), clock.instant(), message);
        Deque<CapturedMail> messages = byBuild.computeIfAbsent(message.buildId(), build -> new ArrayDeque<>());
        messages.addLast(captured);
        byId.put(captured.id(), captured);
        while (messages.size() > maxMessagesPerBuild) {
            byId.remove(messages.removeFirst().id());
        }
        return captured;
    }

    @Override
    public synchronized List<CapturedMail> list(String buildId)
    {
        return List.copyOf(byBuild.getOrDefault(buildId, new ArrayDeque<>()));
    }

    @Override
    public synchronized Optional<CapturedMail> get(String id)
    {
        return Optional.ofNullable(byId.get(id));
    }

    @Override
    public synchronized int purge(String buildId)
    {
        Deque<CapturedMail> messages = byBuild.remove(buildId);
        if (messages == null) {
            return 0;
        }
        messages.forEach(captured -> byId.remove(captured.id()));
        return messages.size();
    }

    @Override
    public void close() {}
}
