package sh.stagehand.spi;

import sh.stagehand.spi.backup.BackupStoreFactory;
import sh.stagehand.spi.database.DatabaseProviderFactory;
import sh.stagehand.spi.mail.MailRelayFactory;
import sh.stagehand.spi.mail.MailSinkFactory;
import sh.stagehand.spi.runtime.RuntimeProviderFactory;
import sh.stagehand.spi.vcs.VcsProviderFactory;

import java.util.List;

/**
 * The entry point of a third-party jar, found with {@link java.util.ServiceLoader}: list the
 * implementing class in {@code META-INF/services/sh.stagehand.spi.StagehandPlugin}. A plugin
 * contributes factories; the platform's configuration picks, per provider kind, the factory whose
 * {@code name()} it names (e.g. {@code runtime.type=kubernetes}).
 *
 * <p>Needs no dependency-injection framework. Implementations must have a public no-argument
 * constructor and should do no work in it. The methods are called once, at platform start-up.
 */
public interface StagehandPlugin
{
    default Iterable<RuntimeProviderFactory> runtimeProviderFactories()
    {
        return List.of();
    }

    default Iterable<DatabaseProviderFactory> databaseProviderFactories()
    {
        return List.of();
    }

    default Iterable<VcsProviderFactory> vcsProviderFactories()
    {
        return List.of();
    }

    default Iterable<BackupStoreFactory> backupStoreFactories()
    {
        return List.of();
    }

    default Iterable<MailSinkFactory> mailSinkFactories()
    {
        return List.of();
    }

    default Iterable<MailRelayFactory> mailRelayFactories()
    {
        return List.of();
    }
}
