package sh.stagehand.core.pipeline;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import sh.stagehand.spi.ProviderContext;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Each build's directories on the platform host: {@code workspaces/<id>/source} (the checkout) and
 * {@code workspaces/<id>/data} (Odoo's data directory, with the filestore), removed together; and
 * production's, which outlive its builds: {@code workspaces/production/<project>/data} and the
 * filestore snapshots taken before updates, {@code workspaces/production/<project>/snapshots/<id>}.
 * Thread-safe.
 */
@Singleton
public final class BuildWorkspaces
{
    private final Path root;

    @Inject
    public BuildWorkspaces(ProviderContext context)
    {
        this(context.dataDirectory().resolve("workspaces"));
    }

    public BuildWorkspaces(Path root)
    {
        this.root = root.toAbsolutePath();
    }

    /**
     * The checkout directory of the build; not created (a checkout creates it).
     */
    public Path source(long buildId)
    {
        return root.resolve(Long.toString(buildId)).resolve("source");
    }

    /**
     * Odoo's data directory of the build, created writable for the container's user (the official
     * image runs as {@code odoo}, whose uid the platform host does not know).
     */
    public Path data(long buildId)
    {
        return writableDirectory(root.resolve(Long.toString(buildId)).resolve("data"), "build " + buildId);
    }

    /**
     * Odoo's data directory of the project's production, whichever build serves it.
     */
    public Path productionData(String projectId)
    {
        return writableDirectory(root.resolve("production").resolve(projectId).resolve("data"), "production of " + projectId);
    }

    /**
     * Where the snapshot of production's filestore taken before build {@code buildId} updates it is
     * kept; not created.
     */
    public Path productionSnapshot(String projectId, long buildId)
    {
        return root.resolve("production").resolve(projectId).resolve("snapshots").resolve(Long.toString(buildId));
    }

    /**
     * Where a new database, filestore and sessions for the project's production are staged before
     * they take its place (a restored backup, an imported database); not created.
     */
    public Path productionReplacement(String projectId)
    {
        return root.resolve("production").resolve(projectId).resolve("replacement");
    }

    /**
     * A data directory for a one-off Odoo run that serves no build (neutralizing a copy of a
     * backup to download), created writable; the caller deletes it.
     */
    public Path taskData(String task)
    {
        return writableDirectory(root.resolve("tasks").resolve(task), "task " + task);
    }

    /**
     * Deletes every task's data directory: what a platform stopped in the middle of one left.
     */
    public void deleteTaskData()
    {
        Filestores.delete(root.resolve("tasks"));
    }

    private static Path writableDirectory(Path data, String owner)
    {
        try {
            Files.createDirectories(data);
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxrwx"));
            return data;
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot create the data directory " + data + " of " + owner + ": " + e, e);
        }
    }

    public boolean exists(long buildId)
    {
        return Files.exists(root.resolve(Long.toString(buildId)));
    }

    /**
     * Deletes the build's directories, with whatever the container wrote there.
     */
    public void delete(long buildId)
    {
        Filestores.delete(root.resolve(Long.toString(buildId)));
    }

}
