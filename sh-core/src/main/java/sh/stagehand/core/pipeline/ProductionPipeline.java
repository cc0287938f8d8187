package sh.stagehand.core.pipeline;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.odoo.AddonScanner;
import sh.stagehand.core.odoo.BuildVerdict;
import sh.stagehand.core.odoo.ModuleChanges;
import sh.stagehand.core.odoo.OdooCommandLine;
import sh.stagehand.core.odoo.OdooVersion;
import sh.stagehand.core.pipeline.BuildSteps.OdooRun;
import sh.stagehand.core.pipeline.BuildSteps.Source;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseConnection;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.PreparedImage;
import sh.stagehand.spi.runtime.RuntimeProvider;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Lock;

import static java.util.Objects.requireNonNull;

/**
 * A production build, as on Odoo.sh: a push restarts production on the new revision, and a push
 * never loses production's data.
 * <ol>
 * <li>The new revision's image is prepared while the serving build keeps serving.</li>
 * <li>The first build creates the production database without demo data (install.log).</li>
 * <li>Later builds compare the revision's manifests with the database: modules whose version
 *     changed are updated, new ones installed (update.log). The build is in maintenance
 *     ({@link BuildState#UPDATING}): the serving build is stopped, a snapshot of the database and
 *     filestore is taken, the update runs, the new server must answer its health check.</li>
 * <li>Any failure there — an exit code, an ERROR or CRITICAL line or a traceback in update.log, a
 *     server that does not answer — puts the snapshot back and starts the previous build again:
 *     Odoo commits module by module, so only the snapshot makes a failed update lossless.</li>
 * <li>Nothing to update: no snapshot, just a restart on the new code (and the previous build
 *     again if the new server does not answer).</li>
 * </ol>
 * A platform stopped half-way is put right at its next start ({@link #recover}, {@link #reconcileServing}).
 * Thread-safe; the updates of one project run one at a time.
 */
@Singleton
public final class ProductionPipeline
{
    private static final Logger log = LoggerFactory.getLogger(ProductionPipeline.class);

    private final BuildSteps steps;
    private final BuildStore builds;
    private final RuntimeProvider runtime;
    private final DatabaseProvider databases;
    private final BuildWorkspaces workspaces;
    private final BuildCleaner cleaner;
    private final ProductionLocks locks;

    @Inject
    public ProductionPipeline(BuildSteps steps, BuildStore builds, RuntimeProvider runtime, DatabaseProvider databases, BuildWorkspaces workspaces, BuildCleaner cleaner, ProductionLocks locks)
    {
        this.steps = requireNonNull(steps, "steps is null");
        this.builds = requireNonNull(builds, "builds is null");
        this.runtime = requireNonNull(runtime, "runtime is null");
        this.databases = requireNonNull(databases, "databases is null");
        this.workspaces = requireNonNull(workspaces, "workspaces is null");
        this.cleaner = requireNonNull(cleaner, "cleaner is null");
        this.locks = requireNonNull(locks, "locks is null");
    }

    public void run(Build claimed)
    {
        steps.run(claimed, this::build);
    }

    /**
     * The build serving the project's production now, if any: its newest running production build.
     */
    public Optional<Build> serving(String projectId)
    {
        return builds.listBuildsInState(EnumSet.of(BuildState.RUNNING)).stream()
                .filter(build -> build.projectId().equals(projectId) && build.stage() == Stage.PRODUCTION)
                .max(Comparator.comparingLong(Build::id));
    }

    private Build build(Project project, Branch branch, Build build)
    {
        Instant started = steps.now();
        String database = build.databaseName();
        Source source = steps.checkout(project, branch, build, databases.exists(database) ? LogName.UPDATE : LogName.INSTALL);
        // The serving build keeps serving while the image is made.
        PreparedImage image = steps.prepareImage(build, source);
        Lock lock = locks.of(project.id()).writeLock();
        lock.lock();
        try {
            Optional<Build> newer = serving(project.id()).filter(other -> other.id() > build.id());
            if (newer.isPresent()) {
                // A later push got to production first: this older revision must not replace it.
                Build superseded = steps.update(build.withState(BuildState.SUPERSEDED, "build " + newer.get().id() + " of a later push serves production already").withFinishedAt(steps.now()));
                steps.event(superseded, EventKind.BUILD_SUPERSEDED, "Build " + build.id() + " superseded by build " + newer.get().id());
                return superseded;
            }
            Path data = workspaces.productionData(project.id());
            if (!databases.exists(database)) {
                return create(project, build, source, image, data, started);
            }
            return update(project, build, source, image, data, started);
        }
        finally {
            lock.unlock();
        }
    }

    private Build create(Project project, Build build, Source source, PreparedImage image, Path data, Instant started)
    {
        List<String> modules = source.modulesForNewDatabase();
        DatabaseConnection connection = databases.create(build.databaseName());
        try {
            Build installing = steps.update(build.withState(BuildState.TESTING, "creating production: installing " + String.join(", ", modules) + " without demo data"));
            OdooRun run = steps.runOdoo(installing, LogName.INSTALL,
                    steps.commandLine(installing, source, false).withInstall(modules).withoutDemo().withStopAfterInit().build(), image, connection, data);
            if (run.failed()) {
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Creating the production database failed: the install " + run.describe()
                        + "; see install.log. Nothing was served yet: push a fix and production is created again from scratch");
            }
            Instant serverStarted = steps.now();
            ContainerInfo server = steps.startServer(installing, image, steps.commandLine(installing, source, true), connection, data, BuildSteps.Health.DATABASE);
            return steps.running(project, installing, server, run.analysis().verdict(), "production created with " + String.join(", ", modules) + " (no demo data)",
                    started, run.took().plus(Duration.between(serverStarted, steps.now())));
        }
        catch (RuntimeException e) {
            // It never served: nothing to keep. The next build starts from scratch.
            discardUnservedProduction(build);
            throw e;
        }
    }

    private Build update(Project project, Build build, Source source, PreparedImage image, Path data, Instant started)
    {
        String database = build.databaseName();
        Optional<Build> previous = serving(project.id());
        ModuleChanges changes = ModuleChanges.between(source.addons(), source.modules(), steps.installedModules(database), OdooVersion.DEFAULT_SERIES);
        String from = previous.map(serving -> "build " + serving.id() + " (" + shortId(serving.commitId()) + ")").orElse("no serving build");
        steps.note(build, LogName.UPDATE, "Production: " + from + " → build " + build.id() + " (" + shortId(build.commitId()) + "): " + changes.describe());
        build = steps.update(build.withState(BuildState.UPDATING, "maintenance: " + changes.describe()));
        steps.event(build, EventKind.PRODUCTION_UPDATE_STARTED, "Production update to " + shortId(build.commitId()) + " started (" + changes.describe() + "); " + from + " stopped");

        Instant down = steps.now();
        previous.ifPresent(serving -> cleaner.removeContainers(serving.id()));
        boolean snapshot = !changes.isEmpty();
        if (snapshot) {
            takeSnapshot(build, data);
        }
        ContainerInfo server;
        Duration odooTime = Duration.ZERO;
        BuildVerdict verdict = BuildVerdict.SUCCESS;
        try {
            DatabaseConnection connection = databases.renewCredentials(database);
            if (snapshot) {
                OdooRun run = steps.runOdoo(build, LogName.UPDATE, steps.commandLine(build, source, false)
                        .withUpdate(changes.toUpdate()).withInstall(changes.toInstall()).withoutDemo().withStopAfterInit().build(), image, connection, data);
                odooTime = run.took();
                if (run.failed()) {
                    throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "the update " + run.describe() + "; see update.log");
                }
                verdict = run.analysis().verdict();
            }
            else {
                steps.note(build, LogName.UPDATE, "No module version changed and no module is new: restarting on the new code");
            }
            Instant serverStarted = steps.now();
            server = steps.startServer(build, image, steps.commandLine(build, source, true), connection, data, BuildSteps.Health.DATABASE);
            odooTime = odooTime.plus(Duration.between(serverStarted, steps.now()));
        }
        catch (RuntimeException e) {
            String outcome;
            try {
                outcome = rollBack(build, previous, snapshot, data);
            }
            catch (RuntimeException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
                outcome = "putting production back failed too (" + rollbackFailure.getMessage() + "); the platform tries again at its next start";
            }
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Production update to " + shortId(build.commitId()) + " failed: " + e.getMessage() + ". " + outcome, e);
        }
        Duration downtime = Duration.between(down, steps.now());
        String outcome = "production on %s: %s; down %.1f s".formatted(shortId(build.commitId()), changes.describe(), BuildSteps.seconds(downtime));
        steps.event(build, EventKind.PRODUCTION_UPDATED, "Production updated to " + shortId(build.commitId()) + ": " + changes.describe() + "; down " + "%.1f s".formatted(BuildSteps.seconds(downtime)));
        // Running first: stopped between these steps, the platform finds the new build serving,
        // and retires the previous one and the snapshot at its next start (reconcileServing).
        Build running = steps.running(project, build, server, verdict, outcome, started, odooTime);
        dropSnapshot(running);
        previous.ifPresent(replaced -> retire(replaced, "replaced by build " + running.id() + " (" + shortId(running.commitId()) + ")"));
        return running;
    }

    private void dropSnapshot(Build build)
    {
        databases.drop(BuildNames.snapshotDatabaseName(build.projectId(), build.id()));
        Filestores.delete(workspaces.productionSnapshot(build.projectId(), build.id()));
    }

    private void takeSnapshot(Build build, Path data)
    {
        // The filestore first, complete or absent: a database snapshot implies a whole filestore one.
        Filestores.snapshot(filestore(data, build.databaseName()), workspaces.productionSnapshot(build.projectId(), build.id()));
        databases.snapshot(build.databaseName(), BuildNames.snapshotDatabaseName(build.projectId(), build.id()));
        steps.note(build, LogName.UPDATE, "Snapshot of the database and filestore taken");
    }

    /**
     * Puts production back as it was before {@code failed} started to update it, and the previous
     * build serving on it.
     *
     * @return what serves now, for people
     */
    private String rollBack(Build failed, Optional<Build> previous, boolean snapshot, Path data)
    {
        cleaner.removeContainers(failed.id());
        if (snapshot) {
            restoreSnapshot(failed, data);
            steps.note(failed, LogName.UPDATE, "The database and filestore were put back as they were before the update");
        }
        if (previous.isEmpty()) {
            return "No earlier build serves production";
        }
        Build restarted = startAgain(previous.get(), "serving again: build " + failed.id() + " failed to update production");
        String outcome = "Build " + restarted.id() + " (" + shortId(restarted.commitId()) + ") serves production again, on the database " + (snapshot ? "as it was before the update" : "unchanged");
        steps.event(failed, EventKind.PRODUCTION_ROLLED_BACK, outcome);
        return outcome;
    }

    /**
     * Puts production right after a platform stopped in the middle of {@code interrupted}: its
     * containers go, the database and filestore go back to the snapshot taken before its update (if
     * it got that far), and a production it was creating is discarded. The previous build is
     * started again by {@link #reconcileServing}.
     *
     * @return what was done, for people
     */
    public String recover(Build interrupted)
    {
        cleaner.removeContainers(interrupted.id());
        Path data = workspaces.productionData(interrupted.projectId());
        if (databases.exists(BuildNames.snapshotDatabaseName(interrupted.projectId(), interrupted.id()))) {
            restoreSnapshot(interrupted, data);
            return "the database and filestore were put back as they were before its update";
        }
        // No database snapshot: the update had not begun; a partial filestore snapshot is dropped.
        Filestores.delete(workspaces.productionSnapshot(interrupted.projectId(), interrupted.id()));
        Filestores.delete(workspaces.productionSnapshot(interrupted.projectId(), interrupted.id()).resolveSibling(interrupted.id() + ".partial"));
        if (interrupted.state() == BuildState.TESTING && serving(interrupted.projectId()).isEmpty()) {
            discardUnservedProduction(interrupted);
            return "the production database it was creating was discarded; the next build creates it again";
        }
        return "production's database was not touched yet";
    }

    /**
     * Deals with the snapshots of the project's production left behind by a platform that stopped
     * before it finished with them: the snapshot of a build that serves is no longer needed; any
     * other means an update that failed and whose rollback did not finish, so it is restored.
     * Called at start after {@link #recover} and before {@link #reconcileServing}.
     *
     * @return what was done, one line each
     */
    public List<String> recoverLeftoverSnapshots(String projectId)
    {
        List<String> changes = new ArrayList<>();
        String prefix = BuildNames.snapshotDatabasePrefix(projectId);
        for (String snapshot : databases.list(prefix)) {
            long buildId;
            try {
                buildId = Long.parseLong(snapshot.substring(prefix.length()));
            }
            catch (NumberFormatException e) {
                continue;
            }
            Optional<Build> build = builds.findBuild(buildId);
            if (build.isPresent() && build.get().state() == BuildState.RUNNING) {
                dropSnapshot(build.get());
                changes.add("dropped the snapshot taken before build " + buildId + ", which serves");
            }
            else if (build.isPresent()) {
                restoreSnapshot(build.get(), workspaces.productionData(projectId));
                changes.add("production of " + projectId + " put back from the snapshot taken before build " + buildId + ", whose rollback had not finished");
            }
        }
        return changes;
    }

    /**
     * Puts a project's running production builds right at the platform's start: the newest serves
     * (started again if its server is not running: the platform stopped in the middle of an
     * update, the host restarted), its leftover snapshot goes, and older ones are retired.
     *
     * @param running the project's production builds recorded as running
     * @return what was done, one line each
     */
    public List<String> reconcileServing(List<Build> running)
    {
        List<Build> newestFirst = running.stream().sorted(Comparator.comparingLong(Build::id).reversed()).toList();
        List<String> changes = new ArrayList<>();
        for (Build older : newestFirst.subList(Math.min(1, newestFirst.size()), newestFirst.size())) {
            retire(older, "replaced by build " + newestFirst.get(0).id());
            changes.add("production build " + older.id() + " retired: build " + newestFirst.get(0).id() + " serves");
        }
        if (!newestFirst.isEmpty()) {
            Build newest = newestFirst.get(0);
            dropSnapshot(newest);
            boolean serving = newest.containerId()
                    .flatMap(runtime::inspect)
                    .map(container -> container.state().isRunning())
                    .orElse(false);
            if (!serving) {
                startAgain(newest, "serving again after a platform restart");
                changes.add("production build " + newest.id() + " started again");
            }
        }
        return changes;
    }

    private Build startAgain(Build build, String why)
    {
        cleaner.removeContainers(build.id());
        Path source = workspaces.source(build.id());
        if (!Files.isDirectory(source)) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "Cannot start build " + build.id() + " again: its checkout " + source + " is gone; rebuild its commit");
        }
        Source checkout = new Source(source, AddonScanner.scan(source), List.of());
        DatabaseConnection connection = databases.renewCredentials(build.databaseName());
        PreparedImage image = new PreparedImage(BuildSteps.imageTag(build), BuildSteps.imageTag(build), true);
        ContainerInfo server = steps.startServer(build, image, steps.commandLine(build, checkout, true), connection, workspaces.productionData(build.projectId()), BuildSteps.Health.DATABASE);
        Build restarted = steps.update(build.withState(BuildState.RUNNING, why)
                .withContainer(Optional.of(server.id()), Optional.of(server.hostPort(BuildSteps.ODOO_PORT))));
        steps.event(restarted, EventKind.PRODUCTION_RESTARTED, "Build " + build.id() + " (" + shortId(build.commitId()) + ") " + why + ", on port " + server.hostPort(BuildSteps.ODOO_PORT));
        log.info("Production of {}: build {} {}", build.projectId(), build.id(), why);
        return restarted;
    }

    private void restoreSnapshot(Build build, Path data)
    {
        Path filestoreSnapshot = workspaces.productionSnapshot(build.projectId(), build.id());
        if (Files.isDirectory(filestoreSnapshot)) {
            Filestores.restore(filestoreSnapshot, filestore(data, build.databaseName()));
        }
        databases.restoreSnapshot(BuildNames.snapshotDatabaseName(build.projectId(), build.id()), build.databaseName());
    }

    private void retire(Build replaced, String why)
    {
        cleaner.removeContainers(replaced.id());
        steps.update(replaced.withState(BuildState.STOPPED, why).withContainer(Optional.empty(), Optional.empty()));
        steps.event(replaced, EventKind.BUILD_STOPPED, "Build " + replaced.id() + " stopped: " + why);
        runtime.removeImage(BuildSteps.imageTag(replaced));
    }

    private void discardUnservedProduction(Build build)
    {
        cleaner.removeContainers(build.id());
        databases.drop(build.databaseName());
        Filestores.delete(filestore(workspaces.productionData(build.projectId()), build.databaseName()));
    }

    private static Path filestore(Path data, String database)
    {
        return data.resolve("filestore").resolve(database);
    }

    private static String shortId(String commitId)
    {
        return commitId.substring(0, Math.min(8, commitId.length()));
    }
}
