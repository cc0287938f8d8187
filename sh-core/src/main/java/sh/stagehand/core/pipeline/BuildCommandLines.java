package sh.stagehand.core.pipeline;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.core.odoo.OdooCommandLine;
import sh.stagehand.core.pipeline.BuildSteps.Source;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.core.pipeline.BuildSteps.ADDONS_DIRECTORY;
import static sh.stagehand.core.pipeline.BuildSteps.DATA_DIRECTORY;

/**
 * Odoo's command lines for a build's containers, without the database server and the passwords,
 * which are added where the container is made, into its configuration file. Thread-safe.
 */
@Singleton
final class BuildCommandLines
{
    private final PlatformSettings settings;

    @Inject
    BuildCommandLines(PlatformSettings settings)
    {
        this.settings = requireNonNull(settings, "settings is null");
    }

    /**
     * The build's server: its database only, the data directory, the mail catcher and cron threads.
     */
    OdooCommandLine.Builder server(Build build, Source source, boolean crons)
    {
        return OdooCommandLine.server()
                .withDatabase(build.databaseName())
                .withDatabaseFilter()
                .withNoDatabaseList()
                .withAddonsPath(source.addons().addonsPath(ADDONS_DIRECTORY))
                .withDataDirectory(DATA_DIRECTORY)
                .withMaxCronThreads(crons ? 1 : 0)
                .withSmtp(settings.smtpHost(), settings.smtpPort())
                .withSmtpCredentials(Long.toString(build.id()), build.smtpPassword())
                .withLogLevel("test");
    }

    /**
     * {@code odoo shell} on the build's database, with the source's addons, its script read from
     * its input.
     */
    static OdooCommandLine.Builder shell(Build build, Source source)
    {
        return OdooCommandLine.shell()
                .withDatabase(build.databaseName())
                .withAddonsPath(source.addons().addonsPath(ADDONS_DIRECTORY))
                .withDataDirectory(DATA_DIRECTORY);
    }

    /**
     * {@code odoo neutralize} on a database, with the source's addons.
     */
    static OdooCommandLine.Builder neutralize(String database, Source source)
    {
        return OdooCommandLine.neutralize()
                .withDatabase(database)
                .withAddonsPath(source.addons().addonsPath(ADDONS_DIRECTORY))
                .withDataDirectory(DATA_DIRECTORY);
    }
}
