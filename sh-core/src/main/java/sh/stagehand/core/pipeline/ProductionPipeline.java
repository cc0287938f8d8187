package sh.stagehand.core.pipeline;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.backup.Backup;
import sh.stagehand.core.backup.BackupKind;
import sh.stagehand.core.backup.BackupRecorder;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.odoo.AppUninstall;
import sh.stagehand.core.odoo.BuildVerdict;
import sh.stagehand.core.odoo.ModuleChanges;
import sh.stagehand.core.odoo.OdooVersion;
import sh.stagehand.core.pipeline.BuildSteps.OdooRun;
import sh.stagehand.core.pipeline.BuildSteps.Source;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.core.workspace.BuildWorkspaces;
import sh.stagehand.core.workspace.Filestores;
import sh.stagehand.core.workspace.ProductionLocks;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseConnection;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.PreparedImage;
import sh.stagehand.spi.runtime.RuntimeProvider;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
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
 *     changed are updated, new ones installed (update.log). Before an update, or a restart on
 *     changed Python requirements, an update backup is taken while production still serves
 *     ({@link BackupRecorder}), as Odoo.sh takes one. The build is then in maintenance
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
    private final PlatformSettings settings;
    private final ProjectStore projects;
    private final BackupRecorder backups;
    private final ProductionSnapshots snapshots;

    @Inject
    public ProductionPipeline(BuildSteps steps, ProjectStore projects, BuildStore builds, RuntimeProvider runtime, DatabaseProvider databases, BuildWorkspaces workspaces, BuildCleaner cleaner,
            ProductionLocks locks, PlatformSettings settings, BackupRecorder backups, ProductionSnapshots snapshots)
    {
        this.snapshots = requireNonNull(snapshots, "snapshots is null");
        this.backups = requireNonNull(backups, "backups is null");
        this.projects = requireNonNull(projects, "projects is null");
        this.settings = requireNonNull(settings, "settings is null");
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

    private Build build(Project project, Branch branch, Build queued)
    {
        Instant started = steps.now();
        // Production's names are the project's, whatever a platform stopped while queueing recorded.
        Build build = queued.databaseName().equals(BuildNames.productionDatabaseName(queued.projectId())) ? queued
                : steps.update(queued.withNames(BuildNames.productionDatabaseName(queued.projectId()), BuildNames.productionHostname(queued.projectId(), settings.domain())));
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
                return create(project, branch, build, source, image, data, started);
            }
            return update(project, branch, build, source, image, data, started);
        }
        finally {
            lock.unlock();
        }
    }

    private Build create(Project project, Branch branch, Build build, Source source, PreparedImage image, Path data, Instant started)
    {
        List<String> modules = source.modulesForNewDatabase();
        // Recorded first: a platform stopped from here on finds a production being created, and discards it.
        Build installing = steps.update(build.withState(BuildState.TESTING, "creating production: installing " + String.join(", ", modules) + " without demo data"));
        try {
            DatabaseConnection connection = databases.create(build.databaseName());
            OdooRun run = steps.runOdoo(installing, LogName.INSTALL,
                    steps.commandLine(installing, source, false).withInstall(modules).withoutDemo().withStopAfterInit(), image, connection, data);
            if (run.failed()) {
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Creating the production database failed: the install " + run.describe()
                        + "; see install.log. Nothing was served yet: push a fix and production is created again from scratch");
            }
            Instant serverStarted = steps.now();
            ContainerInfo server = steps.startServer(installing, image, steps.commandLine(installing, source, branch.cronsEnabled()), connection, data, BuildSteps.Health.DATABASE);
            return steps.running(project, installing, server, run.analysis().verdict(), "production created with " + String.join(", ", modules) + " (no demo data)",
                    started, run.took().plus(Duration.between(serverStarted, steps.now())));
        }
        catch (RuntimeException | Error e) {
            // It never served: nothing to keep. The next build starts from scratch.
            try {
                discardUnservedProduction(build);
            }
            catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private Build update(Project project, Branch branch, Build build, Source source, PreparedImage image, Path data, Instant started)
    {
        String database = build.databaseName();
        Optional<Build> previous = serving(project.id());
        requireNoUnfinishedRollback(project.id());
        Map<String, ModuleChanges.InstalledModule> installed = steps.installedModules(database);
        ModuleChanges changes = ModuleChanges.between(source.addons(), source.selected(), installed, OdooVersion.DEFAULT_SERIES).withUninstall(branch.appsToRemove(), installed);
        String from = previous.map(serving -> "build " + serving.id() + " (" + BuildNames.shortCommit(serving.commitId()) + ")").orElse("no serving build");
        steps.note(build, LogName.UPDATE, "Production: " + from + " → build " + build.id() + " (" + BuildNames.shortCommit(build.commitId()) + "): " + changes.describe());
        Optional<String> backupReason = !changes.isEmpty() ? Optional.of("modules are updated")
                : requirementsChanged(previous, source) ? Optional.of("its Python requirements changed") : Optional.empty();
        if (backupReason.isPresent()) {
            // As Odoo.sh does, and while production still serves: what it held just before is a
            // backup to restore, download or look at, beside the snapshot a failed update rolls back to.
            Instant backupStarted = steps.now();
            try {
                Backup backup = backups.take(project.id(), BackupKind.UPDATE, previous);
                steps.note(build, LogName.UPDATE, "Update backup %s taken while production served (%.1f s): %s".formatted(
                        backup.id(), BuildSteps.seconds(Duration.between(backupStarted, steps.now())), backupReason.get()));
            }
            catch (RuntimeException e) {
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Production was not updated: the update backup taken before every update that changes modules or "
                        + "requirements failed (" + e.getMessage() + "). Production is unchanged" + previous.map(serving -> ", build " + serving.id() + " serving it").orElse("")
                        + "; rebuild once backups work again", e);
            }
        }
        build = steps.update(build.withState(BuildState.UPDATING, "maintenance: " + changes.describe()));
        steps.event(build, EventKind.PRODUCTION_UPDATE_STARTED, "Production update to " + BuildNames.shortCommit(build.commitId()) + " started (" + changes.describe() + "); " + from + " stopped");

        Instant down = steps.now();
        boolean snapshot = !changes.isEmpty();
        ContainerInfo server;
        Duration odooTime = Duration.ZERO;
        BuildVerdict verdict = BuildVerdict.SUCCESS;
        try {
            previous.ifPresent(serving -> cleaner.removeContainers(serving.id()));
            if (snapshot) {
                snapshots.take(build);
                steps.note(build, LogName.UPDATE, "Snapshot of the database and filestore taken");
            }
            DatabaseConnection connection = databases.renewCredentials(database);
            if (!changes.toUpdate().isEmpty() || !changes.toInstall().isEmpty()) {
                OdooRun run = steps.runOdoo(build, LogName.UPDATE, steps.commandLine(build, source, false)
                        .withUpdate(changes.toUpdate()).withInstall(changes.toInstall()).withoutDemo().withStopAfterInit(), image, connection, data);
                odooTime = run.took();
                if (run.failed()) {
                    throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "the update " + run.describe() + "; see update.log");
                }
                verdict = run.analysis().verdict();
            }
            if (!changes.toUninstall().isEmpty()) {
                // Odoo's own uninstall, as its Apps menu's: the apps, and the modules depending on them.
                steps.note(build, LogName.UPDATE, "Uninstalling " + String.join(", ", changes.toUninstall()) + " with odoo shell (button_immediate_uninstall)");
                OdooRun run = steps.runOdooScript(build, LogName.UPDATE, source, AppUninstall.script(changes.toUninstall()), image, connection, data);
                odooTime = odooTime.plus(run.took());
                if (run.failed()) {
                    throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "uninstalling " + String.join(", ", changes.toUninstall()) + " " + run.describe() + "; see update.log");
                }
                verdict = run.analysis().verdict().compareTo(verdict) > 0 ? run.analysis().verdict() : verdict;
            }
            else {
                steps.note(build, LogName.UPDATE, "No module version changed and no module is new: restarting on the new code");
            }
            Instant serverStarted = steps.now();
            server = steps.startServer(build, image, steps.commandLine(build, source, branch.cronsEnabled()), connection, data, BuildSteps.Health.DATABASE);
            odooTime = odooTime.plus(Duration.between(serverStarted, steps.now()));
        }
        catch (RuntimeException | Error e) {
            String outcome;
            try {
                outcome = rollBack(build, previous);
            }
            catch (RuntimeException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
                outcome = "putting production back failed too (" + rollbackFailure.getMessage() + "); the platform tries again at its next start";
            }
            outcome += forgetAppsNotInstalled(project.id(), branch.name(), changes.toInstall()) + forgetRemovals(project.id(), branch.name(), changes.toUninstall());
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Production update to " + BuildNames.shortCommit(build.commitId()) + " failed: " + e.getMessage() + ". " + outcome, e);
        }
        // An app the update was to install and Odoo did not (a name it no longer finds): not tried again.
        if (!changes.toInstall().isEmpty()) {
            List<String> missing = new ArrayList<>(changes.toInstall());
            missing.removeIf(module -> Optional.ofNullable(steps.installedModules(database).get(module)).map(ModuleChanges.InstalledModule::isInstalled).orElse(false));
            String forgotten = forgetAppsNotInstalled(project.id(), branch.name(), missing);
            if (!forgotten.isEmpty()) {
                steps.note(build, LogName.UPDATE, "Not installed by the update" + forgotten);
            }
        }
        if (!branch.appsToRemove().isEmpty()) {
            // The apps uninstalled leave the branch's apps, with the modules that went with them;
            // an app to remove that was not installed is not asked for any more either.
            List<String> gone = projects.findBranch(project.id(), branch.name()).map(Branch::apps).orElse(List.of()).stream()
                    .filter(app -> !Optional.ofNullable(steps.installedModules(database).get(app)).map(ModuleChanges.InstalledModule::isInstalled).orElse(false))
                    .toList();
            projects.changeBranchApps(project.id(), branch.name(), List.of(), gone);
            projects.changeAppsToRemove(project.id(), branch.name(), List.of(), branch.appsToRemove());
        }
        Duration downtime = Duration.between(down, steps.now());
        String outcome = "production on %s: %s; down %.1f s".formatted(BuildNames.shortCommit(build.commitId()), changes.describe(), BuildSteps.seconds(downtime));
        steps.event(build, EventKind.PRODUCTION_UPDATED, "Production updated to " + BuildNames.shortCommit(build.commitId()) + ": " + changes.describe() + "; down " + "%.1f s".formatted(BuildSteps.seconds(downtime)));
        // Running first: stopped between these steps, the platform finds the new build serving,
        // and retires the previous one and the snapshot at its next start (reconcileServing).
        Build running = steps.running(project, build, server, verdict, outcome, started, odooTime);
        try {
            snapshots.drop(running);
            previous.ifPresent(replaced -> retire(replaced, "replaced by build " + running.id() + " (" + BuildNames.shortCommit(running.commitId()) + ")"));
        }
        catch (RuntimeException e) {
            // Production serves: what is left is put right at the next start (recoverLeftoverSnapshots, reconcileServing).
            log.warn("Build {} serves production of {}, but cleaning up after it failed; the next start finishes it: {}", running.id(), running.projectId(), e.getMessage(), e);
        }
        return running;
    }

    /**
     * Apps the branch was given to install (the Apps tab) that production does not have after an
     * update leave the branch's apps: one whose install failed (production is as it was, and the
     * next push does not try it again), or one Odoo no longer finds (it skips an unknown name).
     *
     * @return what was forgotten, for people, or nothing
     */
    private String forgetAppsNotInstalled(String projectId, String branchName, List<String> notInstalled)
    {
        try {
            Optional<Branch> branch = projects.findBranch(projectId, branchName);
            List<String> failed = branch.map(found -> found.apps().stream().filter(notInstalled::contains).toList()).orElse(List.of());
            if (failed.isEmpty()) {
                return "";
            }
            projects.changeBranchApps(projectId, branchName, List.of(), failed);
            return "; " + String.join(", ", failed) + (failed.size() == 1 ? " is" : " are") + " no longer among the branch's apps";
        }
        catch (RuntimeException e) {
            log.warn("Cannot take the apps that failed to install off branch {} of {}", branchName, projectId, e);
            return "";
        }
    }

    /**
     * Apps production was to uninstall that a failed update left installed are not asked for any
     * more: production is as it was, and the next push does not try it again unasked.
     *
     * @return what was forgotten, for people, or nothing
     */
    private String forgetRemovals(String projectId, String branchName, List<String> notUninstalled)
    {
        if (notUninstalled.isEmpty()) {
            return "";
        }
        try {
            projects.changeAppsToRemove(projectId, branchName, List.of(), notUninstalled);
            return "; " + String.join(", ", notUninstalled) + (notUninstalled.size() == 1 ? " stays" : " stay") + " installed";
        }
        catch (RuntimeException e) {
            log.warn("Cannot take the apps that failed to uninstall off branch {} of {}", branchName, projectId, e);
            return "";
        }
    }

    /**
     * Refuses to change production while the snapshot of an update whose rollback did not finish is
     * there: the platform's next start puts it back, and anything that changed production meanwhile
     * (an update, a restored backup, an import) would be lost then.
     *
     * @throws StagehandException {@code CONFLICT}
     */
    public void requireNoUnfinishedRollback(String projectId)
    {
        List<Long> unfinished = snapshots.complete(projectId);
        if (!unfinished.isEmpty()) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Production of " + projectId + " has the snapshot taken before build " + unfinished.get(0)
                    + ", whose rollback did not finish: production may not be as it was before that build. It is put back at the platform's next start;"
                    + " nothing is updated, restored or imported into production before that");
        }
    }

    // Compared with the serving build's checkout; when that is gone, assumed changed.
    private boolean requirementsChanged(Optional<Build> previous, Source source)
    {
        if (previous.isEmpty()) {
            return false;
        }
        try {
            return !steps.requirements(steps.existingSource(previous.get())).equals(steps.requirements(source));
        }
        catch (StagehandException e) {
            return true;
        }
    }

    /**
     * Puts production back as it was before {@code failed} started to update it, and the previous
     * build serving on it.
     *
     * @return what serves now, for people
     */
    private String rollBack(Build failed, Optional<Build> previous)
    {
        cleaner.removeContainers(failed.id());
        boolean snapshot = snapshots.isWhole(failed);
        if (snapshot) {
            snapshots.restore(failed);
            steps.note(failed, LogName.UPDATE, "The database and filestore were put back as they were before the update");
        }
        else {
            // Failed before its snapshot was whole: the update never ran, the database is as it was.
            snapshots.discardIncomplete(failed);
        }
        if (previous.isEmpty()) {
            return "No earlier build serves production";
        }
        Build restarted = serveAgain(previous.get(), "serving again: build " + failed.id() + " failed to update production");
        String outcome = "Build " + restarted.id() + " (" + BuildNames.shortCommit(restarted.commitId()) + ") serves production again, on the database " + (snapshot ? "as it was before the update" : "unchanged");
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
        if (snapshots.isWhole(interrupted)) {
            snapshots.restore(interrupted);
            // An app the update was installing is not, now: the next push does not try it again unasked.
            Optional<Branch> branch = projects.findBranch(interrupted.projectId(), interrupted.branch());
            List<String> notInstalled = branch.map(Branch::apps).orElse(List.of()).stream()
                    .filter(app -> !Optional.ofNullable(steps.installedModules(interrupted.databaseName()).get(app)).map(ModuleChanges.InstalledModule::isInstalled).orElse(false))
                    .toList();
            // Nor does it try again an uninstall the update was doing.
            return "the database and filestore were put back as they were before its update" + forgetAppsNotInstalled(interrupted.projectId(), interrupted.branch(), notInstalled)
                    + forgetRemovals(interrupted.projectId(), interrupted.branch(), branch.map(Branch::appsToRemove).orElse(List.of()));
        }
        // No whole snapshot: the update had not begun.
        snapshots.discardIncomplete(interrupted);
        if (interrupted.state() == BuildState.TESTING && serving(interrupted.projectId()).isEmpty()) {
            discardUnservedProduction(interrupted);
            return "the production database it was creating was discarded; the next build creates it again";
        }
        return "production's database was not touched yet";
    }

    /**
     * Deals with the snapshots of the project's production left behind by a platform that stopped
     * before it finished with them, at start, after {@link #recover} and before
     * {@link #reconcileServing}:
     * <ul>
     * <li>an incomplete one (no filestore snapshot in place: its update never ran) is discarded,
     *     including a database snapshot PostgreSQL finished after the platform died;</li>
     * <li>a whole one of a build that serves is no longer needed: dropped;</li>
     * <li>a whole one of a build that does not serve, when no later production build has served
     *     since (later updates are refused while it is there), is an update whose rollback did not
     *     finish: put back;</li>
     * <li>any other is left for a person, and production is not updated while it is there.</li>
     * </ul>
     *
     * @return what was done, one line each
     */
    public List<String> recoverLeftoverSnapshots(String projectId)
    {
        return snapshots.recoverLeftovers(projectId);
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
            snapshots.drop(newest);
            boolean serving = newest.containerId()
                    .flatMap(runtime::inspect)
                    .map(container -> container.state().isRunning())
                    .orElse(false);
            if (!serving) {
                serveAgain(newest, "serving again after a platform restart");
                changes.add("production build " + newest.id() + " started again");
            }
        }
        return changes;
    }

    /**
     * Starts a production build's server again, on the database as it is now (after a rollback,
     * a restart of the platform, a restored backup), with fresh credentials.
     *
     * @return the build, running on its new server
     */
    public Build serveAgain(Build build, String why)
    {
        Source checkout = steps.existingSource(build);
        DatabaseConnection connection = databases.renewCredentials(build.databaseName());
        boolean crons = projects.findBranch(build.projectId(), build.branch()).map(Branch::cronsEnabled).orElse(true);
        Build restarted = steps.serveAgain(build, checkout, connection, workspaces.productionData(build.projectId()), crons, BuildSteps.Health.DATABASE, why);
        steps.event(restarted, EventKind.PRODUCTION_RESTARTED, "Build " + build.id() + " (" + BuildNames.shortCommit(build.commitId()) + ") " + why + ", on port " + restarted.hostPort().orElseThrow());
        log.info("Production of {}: build {} {}", build.projectId(), build.id(), why);
        return restarted;
    }

    private void retire(Build replaced, String why)
    {
        cleaner.removeContainers(replaced.id());
        steps.update(replaced.withState(BuildState.STOPPED, why).withContainer(Optional.empty(), Optional.empty()));
        steps.event(replaced, EventKind.BUILD_STOPPED, "Build " + replaced.id() + " stopped: " + why);
        runtime.removeImage(OdooContainers.imageTag(replaced));
    }

    private void discardUnservedProduction(Build build)
    {
        cleaner.removeContainers(build.id());
        databases.drop(build.databaseName());
        Filestores.delete(workspaces.productionDataDirectory(build.projectId()), Filestores.of(build.databaseName()));
    }
}
