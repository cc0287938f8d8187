package sh.stagehand.core.backup;

import sh.stagehand.spi.ProviderContext;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.backup.BackupStore;
import sh.stagehand.spi.backup.BackupStoreFactory;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * {@code backup.type=filesystem}; key {@code filesystem.directory} (default: {@code backups} in the
 * platform's data directory).
 */
public final class FilesystemBackupStoreFactory
        implements BackupStoreFactory
{
    public static final String NAME = "filesystem";
    public static final String DIRECTORY = "filesystem.directory";

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public BackupStore create(Map<String, String> config, ProviderContext context)
    {
        for (String key : config.keySet()) {
            if (!Set.of(DIRECTORY).contains(key)) {
                throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, "Unknown configuration key " + key + "; the filesystem backup store knows " + DIRECTORY);
            }
        }
        Path directory;
        try {
            directory = config.containsKey(DIRECTORY) ? Path.of(config.get(DIRECTORY)) : context.dataDirectory().resolve("backups");
        }
        catch (InvalidPathException e) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, DIRECTORY + " is not a valid path: " + e.getMessage(), e);
        }
        return new FilesystemBackupStore(directory.toAbsolutePath(), context.clock());
    }
}
