package sh.stagehand.spi;

import sh.stagehand.spi.config.ConfigKeys;

import java.util.Map;

/**
 * Creates a provider of one kind: a {@link sh.stagehand.spi.runtime.RuntimeProvider},
 * {@link sh.stagehand.spi.database.DatabaseProvider}, {@link sh.stagehand.spi.vcs.VcsProvider},
 * {@link sh.stagehand.spi.backup.BackupStore}, {@link sh.stagehand.spi.mail.MailSink} or
 * {@link sh.stagehand.spi.mail.MailRelay}. The kind's configuration key ({@code runtime.type},
 * ...) picks a factory by its {@link #name()}.
 *
 * <p>Most providers need no class of their own for this: {@link #of} makes one.
 * Implementations are thread-safe and cheap to construct.
 *
 * @param <P> the provider this factory creates
 */
public interface ProviderFactory<P extends AutoCloseable>
{
    /**
     * @param kind the provider interface, e.g. {@code RuntimeProvider.class}
     * @param name see {@link #name()}
     * @param configKeys see {@link #configKeys()}
     * @param creator see {@link #create}
     */
    static <P extends AutoCloseable> ProviderFactory<P> of(Class<P> kind, String name, ConfigKeys configKeys, Creator<P> creator)
    {
        return new SimpleProviderFactory<>(kind, name, configKeys, creator);
    }

    /**
     * The provider interface this factory creates, e.g. {@code RuntimeProvider.class}.
     */
    Class<P> kind();

    /**
     * The name configuration uses to pick this factory (e.g. {@code docker}), also the prefix of
     * its configuration keys ({@code docker.host}). Lower-case letters, digits and '-'.
     */
    String name();

    /**
     * The keys this factory reads, each under {@code name() + "."}. The platform refuses any other
     * key under that name at start-up, whether this provider is the one configured or not, and
     * suggests the nearest declared key for a key that matches none. {@link ConfigKeys#none()} (the
     * default) declares nothing: the keys under the name are then left to {@link #create}.
     */
    default ConfigKeys configKeys()
    {
        return ConfigKeys.none();
    }

    /**
     * Creates a provider. The provider owns whatever it opens (connections, clients, threads) and
     * releases it on {@link AutoCloseable#close()}.
     *
     * @param config the platform's configuration entries whose key starts with {@code name() + "."},
     *         keys unchanged
     * @param context what the platform gives every provider
     * @throws StagehandException {@link StandardErrorCode#INVALID_CONFIGURATION} for an unknown or
     *         malformed key, naming the key and what would be valid;
     *         {@link StandardErrorCode#PROVIDER_UNAVAILABLE} if the real part cannot be reached
     */
    P create(Map<String, String> config, ProviderContext context);

    /**
     * What {@link #create} does, for {@link #of}.
     */
    @FunctionalInterface
    interface Creator<P>
    {
        P create(Map<String, String> config, ProviderContext context);
    }
}
