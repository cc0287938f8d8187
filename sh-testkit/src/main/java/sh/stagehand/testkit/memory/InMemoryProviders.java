package sh.stagehand.testkit.memory;

import sh.stagehand.spi.ProviderContext;
import sh.stagehand.spi.StagehandPlugin;
import sh.stagehand.spi.backup.BackupStore;
import sh.stagehand.spi.backup.BackupStoreFactory;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.database.DatabaseProviderFactory;
import sh.stagehand.spi.runtime.RuntimeProvider;
import sh.stagehand.spi.runtime.RuntimeProviderFactory;
import sh.stagehand.spi.vcs.VcsProvider;
import sh.stagehand.spi.vcs.VcsProviderFactory;

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
    public Iterable<RuntimeProviderFactory> runtimeProviderFactories()
    {
        return List.of(new RuntimeProviderFactory()
        {
            @Override
            public String name()
            {
                return NAME;
            }

            @Override
            public RuntimeProvider create(Map<String, String> config, ProviderContext context)
            {
                return runtime;
            }
        });
    }

    @Override
    public Iterable<DatabaseProviderFactory> databaseProviderFactories()
    {
        return List.of(new DatabaseProviderFactory()
        {
            @Override
            public String name()
            {
                return NAME;
            }

            @Override
            public DatabaseProvider create(Map<String, String> config, ProviderContext context)
            {
                return databases;
            }
        });
    }

    @Override
    public Iterable<VcsProviderFactory> vcsProviderFactories()
    {
        return List.of(new VcsProviderFactory()
        {
            @Override
            public String name()
            {
                return NAME;
            }

            @Override
            public VcsProvider create(Map<String, String> config, ProviderContext context)
            {
                return vcs;
            }
        });
    }

    @Override
    public Iterable<BackupStoreFactory> backupStoreFactories()
    {
        return List.of(new BackupStoreFactory()
        {
            @Override
            public String name()
            {
                return NAME;
            }

            @Override
            public BackupStore create(Map<String, String> config, ProviderContext context)
            {
                return backups;
            }
        });
    }
}
