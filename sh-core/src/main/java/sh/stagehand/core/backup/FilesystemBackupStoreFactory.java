package sh.stagehand.core.backup;

import sh.stagehand.spi.ProviderContext;
import sh.stagehand.spi.backup.BackupStore;
import sh.stagehand.spi.backup.BackupStoreFactory;
import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.config.ConfigType;

import java.nio.file.Path;
import java.util.Map;

/**
 * {@code backup.type=filesystem}; its key is {@link #DIRECTORY}.
 */
public final class FilesystemBackupStoreFactory
        implements BackupStoreFactory
{
    public static final String NAME = "filesystem";
    public static final ConfigKey<Path> DIRECTORY = ConfigKey.optional("filesystem.directory", ConfigType.path(),
            "where backups are stored (default: backups in the platform's data directory)");
    public static final ConfigKeys KEYS = ConfigKeys.of("the filesystem backup store", DIRECTORY);

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
    public BackupStore create(Map<String, String> config, ProviderContext context)
    {
        Path directory = KEYS.read(config).optional(DIRECTORY).orElse(context.dataDirectory().resolve("backups"));
        return new FilesystemBackupStore(directory.toAbsolutePath(), context.clock());
    }
}
