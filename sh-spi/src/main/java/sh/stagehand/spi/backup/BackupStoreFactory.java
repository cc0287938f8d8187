package sh.stagehand.spi.backup;

import sh.stagehand.spi.ProviderFactory;

/**
 * Creates {@link BackupStore}s; configuration key {@code backup.stores} names one or more by {@link #name()}.
 */
public interface BackupStoreFactory
        extends ProviderFactory<BackupStore>
{
}
