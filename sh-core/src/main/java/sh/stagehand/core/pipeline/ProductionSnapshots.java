package sh.stagehand.core.pipeline;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.workspace.BuildWorkspaces;
import sh.stagehand.core.workspace.Filestores;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseProvider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * The snapshot of production's database and filestore that a production update takes before it
 * changes modules, and rolls back to when it fails: taken, dropped, put back, and those a stopped
 * platform left behind dealt with at its next start. A filestore snapshot in place (not
 * {@code .partial}) is the record that the snapshot is whole. Thread-safe; the callers hold the
 * project's production lock.
 */
@Singleton
final class ProductionSnapshots
{
    private static final Logger log = LoggerFactory.getLogger(ProductionSnapshots.class);

    private final DatabaseProvider databases;
    private final BuildWorkspaces workspaces;
    private final BuildStore builds;

    @Inject
    ProductionSnapshots(DatabaseProvider databases, BuildWorkspaces workspaces, BuildStore builds)
    {
        this.databases = requireNonNull(databases, "databases is null");
        this.workspaces = requireNonNull(workspaces, "workspaces is null");
        this.builds = requireNonNull(builds, "builds is null");
    }

    /**
     * The database first, then the filestore, complete or absent (made beside its place and renamed
     * there): a filestore snapshot in place is the record that both are whole, and that the update
     * may have begun. Without it, the update never ran.
     */
    void take(Build build)
    {
        databases.snapshot(build.databaseName(), BuildNames.snapshotDatabaseName(build.projectId(), build.id()));
        Filestores.snapshot(workspaces.productionDataDirectory(build.projectId()), Filestores.of(build.databaseName()), workspaces.productionSnapshot(build.projectId(), build.id()));
    }

    /**
     * Whether the snapshot taken before the build's update is whole: its filestore snapshot is in place.
     */
    boolean isWhole(Build build)
    {
        return Files.isDirectory(workspaces.productionSnapshot(build.projectId(), build.id()));
    }

    void drop(Build build)
    {
        databases.drop(BuildNames.snapshotDatabaseName(build.projectId(), build.id()));
        Filestores.delete(workspaces.productionSnapshot(build.projectId(), build.id()));
    }

    /**
     * The database first, then the filestore, whose snapshot is the record that the restore is not
     * finished: interrupted anywhere, the next start does the rest.
     */
    void restore(Build build)
    {
        String snapshot = BuildNames.snapshotDatabaseName(build.projectId(), build.id());
        if (databases.exists(snapshot)) {
            databases.restoreSnapshot(snapshot, build.databaseName());
        }
        Path filestoreSnapshot = workspaces.productionSnapshot(build.projectId(), build.id());
        if (Files.isDirectory(filestoreSnapshot)) {
            Filestores.restore(filestoreSnapshot, workspaces.productionDataDirectory(build.projectId()), Filestores.of(build.databaseName()));
        }
    }

    void discardIncomplete(Build build)
    {
        databases.drop(BuildNames.snapshotDatabaseName(build.projectId(), build.id()));
        Path snapshot = workspaces.productionSnapshot(build.projectId(), build.id());
        Filestores.delete(snapshot.resolveSibling(snapshot.getFileName() + ".partial"));
    }

    /**
     * The builds whose whole snapshot (the filestore snapshot in place) is there, oldest first.
     */
    List<Long> complete(String projectId)
    {
        Path snapshots = workspaces.productionSnapshot(projectId, 0).getParent();
        if (!Files.isDirectory(snapshots)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(snapshots)) {
            return entries.filter(Files::isDirectory)
                    .map(entry -> parseId(entry.getFileName().toString()))
                    .flatMap(Optional::stream)
                    .sorted()
                    .toList();
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot list the snapshots in " + snapshots + ": " + e, e);
        }
    }

    /**
     * Deals with the snapshots a stopped platform left behind, as
     * {@link ProductionPipeline#recoverLeftoverSnapshots} says.
     *
     * @return what was done, one line each
     */
    List<String> recoverLeftovers(String projectId)
    {
        List<String> changes = new ArrayList<>();
        Set<Long> whole = new TreeSet<>(complete(projectId));
        String prefix = BuildNames.snapshotDatabasePrefix(projectId);
        for (String snapshot : databases.list(prefix)) {
            parseId(snapshot.substring(prefix.length()))
                    .filter(id -> !whole.contains(id))
                    .ifPresent(id -> {
                        databases.drop(snapshot);
                        changes.add("dropped the incomplete snapshot taken before build " + id + ", whose update never ran");
                    });
        }
        Path snapshots = workspaces.productionSnapshot(projectId, 0).getParent();
        if (Files.isDirectory(snapshots)) {
            try (Stream<Path> entries = Files.list(snapshots)) {
                entries.filter(entry -> entry.getFileName().toString().endsWith(".partial")).forEach(Filestores::delete);
            }
            catch (IOException e) {
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot list the snapshots in " + snapshots + ": " + e, e);
            }
        }
        // While a whole snapshot is there, every later update is refused before it touches
        // production (ProductionPipeline.update): only a later build that served (or updates) means
        // production moved on since, and putting the snapshot back would lose what it did.
        List<Build> production = builds.listBuildsInState(EnumSet.of(BuildState.RUNNING, BuildState.STOPPED, BuildState.UPDATING)).stream()
                .filter(build -> build.projectId().equals(projectId) && build.stage() == Stage.PRODUCTION)
                .toList();
        for (long buildId : whole) {
            Optional<Build> build = builds.findBuild(buildId).filter(found -> found.projectId().equals(projectId));
            if (build.isPresent() && build.get().state() == BuildState.RUNNING) {
                drop(build.get());
                changes.add("dropped the snapshot taken before build " + buildId + ", which serves");
            }
            else if (build.isPresent() && production.stream().noneMatch(later -> later.id() > buildId)) {
                restore(build.get());
                changes.add("production of " + projectId + " put back from the snapshot taken before build " + buildId + ", whose rollback had not finished");
            }
            else {
                log.error("Production of {} has the snapshot taken before build {} ({} and {}), and a later build served production since: a person must decide "
                        + "whether to put it back; production is not updated until it is gone", projectId, buildId,
                        BuildNames.snapshotDatabaseName(projectId, buildId), workspaces.productionSnapshot(projectId, buildId));
                changes.add("left the snapshot taken before build " + buildId + " for a person to decide on");
            }
        }
        return changes;
    }

    private static Optional<Long> parseId(String text)
    {
        try {
            return Optional.of(Long.parseLong(text));
        }
        catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
