package sh.stagehand.s3;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import sh.stagehand.spi.backup.BackupStoreFactory;

/**
 * Makes {@code backup.type=s3} (and S3 replicas) available.
 */
public final class S3Module
        extends AbstractModule
{
    @Override
    protected void configure()
    {
        MapBinder.newMapBinder(binder(), String.class, BackupStoreFactory.class)
                .addBinding(S3BackupStoreFactory.NAME).to(S3BackupStoreFactory.class);
    }
}
