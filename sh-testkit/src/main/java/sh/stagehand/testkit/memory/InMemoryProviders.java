package sh.stagehand.testkit.memory;

import sh.stagehand.spi.ProviderFactory;
import sh.stagehand.spi.StagehandPlugin;
import sh.stagehand.spi.backup.BackupStore;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.runtime.RuntimeProvider;
import sh.stagehand.spi.vcs.VcsProvider;

import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Offers given in-memory providers as {@code runtime.type}, {@code database.type},
 * {@code vcs.type} and {@code backup.type} {@value #NAME}: the same instances to every platform
 * built with this plugin, so a test can stop one platform and start another on what it left.
 */
public final class InMemoryProviders
        implements StagehandPlugin
{
    public static final String NAME = "in-memory";

    private final RuntimeProvider runtime;
    private final InMemoryDatabaseProvider databases;
    private final InMemoryVcsProvider vcs;
    private final InMemoryBackupStore backups;

    public InMemoryProviders(RuntimeProvider runtime, InMemoryDatabaseProvider databases, InMemoryVcsProvider vcs, InMemoryBackupStore backups)
    {
        this.runtime = requireNonNull(runtime, "runtime is null");
        this.databases = requireNonNull(databases, "databases is null");
        this.vcs = requireNonNull(vcs, "vcs is null");
        this.backups = requireNonNull(backups, "backups is null");
    }

    /**
     * The properties that pick these providers.
     */
    public static Map<String, String> properties()
    {
        return Map.of("runtime.type", NAME, "database.type", NAME, "vcs.type", NAME, "backup.type", NAME);
    }

    @Override
    public Iterable<ProviderFactory<?>> providerFactories()
    {
        return List.of(
                ProviderFactory.of(RuntimeProvider.class, NAME, ConfigKeys.none(), (config, context) -> runtime),
                ProviderFactory.of(DatabaseProvider.class, NAME, ConfigKeys.none(), (config, context) -> databases),
                ProviderFactory.of(VcsProvider.class, NAME, ConfigKeys.none(), (config, context) -> vcs),
                ProviderFactory.of(BackupStore.class, NAME, ConfigKeys.none(), (config, context) -> backups));
    }
}
