package sh.stagehand.s3;

import sh.stagehand.spi.ProviderContext;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.backup.BackupStore;
import sh.stagehand.spi.backup.BackupStoreFactory;

import java.util.Map;

/**
 * {@code backup.type=s3}, or a replica's {@code backup.replica.<name>.type=s3}; keys in {@link S3Config}.
 */
public final class S3BackupStoreFactory
        implements BackupStoreFactory
{
    public static final String NAME = "s3";

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public ConfigKeys configKeys()
    {
        return S3Config.KEYS;
    }

    @Override
    public BackupStore create(Map<String, String> config, ProviderContext context)
    {
        return new S3BackupStore(S3Config.fromMap(config));
    }
}
