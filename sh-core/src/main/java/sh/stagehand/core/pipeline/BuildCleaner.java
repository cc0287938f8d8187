package sh.stagehand.core.pipeline;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.logs.BuildLogs;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.workspace.BuildWorkspaces;
import sh.stagehand.core.workspace.Labels;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.mail.MailSink;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.RuntimeProvider;

import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Removes everything a build owns: its containers (found by label, so none is missed), its
 * database, its image, its workspace and its captured mail. Its logs and history stay. Each step is idempotent, so a cleaning
 * interrupted half-way is finished by the next. Thread-safe.
 */
@Singleton
public final class BuildCleaner
{
    private final RuntimeProvider runtime;
    private final DatabaseProvider databases;
    private final MailSink mail;
    private final BuildWorkspaces workspaces;
    private final BuildLogs logs;

    @Inject
    public BuildCleaner(RuntimeProvider runtime, DatabaseProvider databases, MailSink mail, BuildWorkspaces workspaces, BuildLogs logs)
    {
        this.logs = requireNonNull(logs, "logs is null");
        this.runtime = requireNonNull(runtime, "runtime is null");
        this.databases = requireNonNull(databases, "databases is null");
        this.mail = requireNonNull(mail, "mail is null");
        this.workspaces = requireNonNull(workspaces, "workspaces is null");
    }

    public void removeContainers(long buildId)
    {
        for (ContainerInfo container : runtime.list(Map.of(Labels.BUILD, Long.toString(buildId)))) {
            runtime.remove(container.id());
        }
        // The server's output ended with its container: the log is complete, its file can be closed.
        logs.close(buildId, LogName.ODOO);
        // Its shells ended with it too.
        logs.close(buildId, LogName.SHELL);
        logs.close(buildId, LogName.EDITOR);
    }

    public void removeEverything(Build build)
    {
        removeContainers(build.id());
        // Only a database of the build's own: production's outlives its builds.
        if (build.databaseName().equals(build.instanceName())) {
            databases.drop(build.databaseName());
        }
        runtime.removeImage(OdooContainers.imageTag(build));
        workspaces.delete(build.id());
        mail.purge(Long.toString(build.id()));
    }
}
