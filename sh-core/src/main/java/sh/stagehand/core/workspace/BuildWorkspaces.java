package sh.stagehand.core.workspace;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import sh.stagehand.core.files.ContainerDirectory;
import sh.stagehand.core.files.ContainerUser;
import sh.stagehand.spi.ProviderContext;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * Each build's directories on the platform host: {@code workspaces/<id>/source} (the checkout) and
 * {@code workspaces/<id>/data} (Odoo's data directory, with the filestore), removed together; and
 * production's, which outlive its builds: {@code workspaces/production/<project>/data} and the
 * filestore snapshots taken before updates, {@code workspaces/production/<project>/snapshots/<id>}.
 *
 * <p>A data directory is mounted read-write in the build's containers, whose tenant code may put a
 * link anywhere in it: it belongs to the {@link ContainerUser} with mode 0700, and everything the
 * platform does inside it goes through a {@link ContainerDirectory}. Everything else here is the
 * platform's alone. Thread-safe.
 */
@Singleton
public final class BuildWorkspaces
{
    private final Path root;
    private final ContainerUser containerUser;

    @Inject
    public BuildWorkspaces(ProviderContext context, ContainerUser containerUser)
    {
        this(context.dataDirectory().resolve("workspaces"), containerUser);
    }

    public BuildWorkspaces(Path root, ContainerUser containerUser)
    {
        this.root = root.toAbsolutePath();
        this.containerUser = requireNonNull(containerUser, "containerUser is null");
    }

    /**
     * The checkout directory of the build; not created (a checkout creates it).
     */
    public Path source(long buildId)
    {
        return root.resolve(Long.toString(buildId)).resolve("source");
    }

    /**
     * Odoo's data directory of the build, as its containers mount it; created for the container's user.
     */
    public Path data(long buildId)
    {
        return dataDirectory(buildId).root();
    }

    /**
     * Odoo's data directory of the build, created for the container's user, to work in.
     */
    public ContainerDirectory dataDirectory(long buildId)
    {
        return containerDirectory(root.resolve(Long.toString(buildId)).resolve("data"), "build " + buildId);
    }

    /**
     * Odoo's data directory of the project's production, whichever build serves it, as its containers mount it.
     */
    public Path productionData(String projectId)
    {
        return productionDataDirectory(projectId).root();
    }

    /**
     * Odoo's data directory of the project's production, to work in.
     */
    public ContainerDirectory productionDataDirectory(String projectId)
    {
        return containerDirectory(root.resolve("production").resolve(projectId).resolve("data"), "production of " + projectId);
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
     * backup to download), created for the container's user; the caller deletes it.
     */
    public Path taskData(String task)
    {
        return containerDirectory(root.resolve("tasks").resolve(task), "task " + task).root();
    }

    /**
     * Deletes what a platform stopped in the middle of work left: every task's data directory, and
     * the scratch directories beside builds' and production's data directories (a copy on its way
     * in). At start, before any build runs.
     */
    public void deleteLeftovers()
    {
        Filestores.delete(root.resolve("tasks"));
        try {
            for (Path workspace : directories(root)) {
                for (Path production : workspace.getFileName().toString().equals("production") ? directories(workspace) : List.of(workspace)) {
                    if (Files.isDirectory(production.resolve("data"), LinkOption.NOFOLLOW_LINKS)) {
                        new ContainerDirectory(production.resolve("data"), containerUser).deleteScratch();
                    }
                }
            }
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot delete the scratch directories left in " + root + ": " + e, e);
        }
    }

    private static List<Path> directories(Path parent)
            throws IOException
    {
        if (!Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(parent)) {
            return entries.filter(entry -> Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)).toList();
        }
    }

    /**
     * The user the containers run as, who owns their data directories.
     */
    public ContainerUser containerUser()
    {
        return containerUser;
    }

    private ContainerDirectory containerDirectory(Path data, String owner)
    {
        try {
            return ContainerDirectory.create(data, containerUser);
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
     * Deletes the build's directories, with whatever the container wrote there, never following a
     * link it put there.
     */
    public void delete(long buildId)
    {
        Filestores.delete(root.resolve(Long.toString(buildId)));
    }
}
