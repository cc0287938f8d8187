package sh.stagehand.core.pipeline;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.core.files.ContainerDirectory;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.odoo.BuildVerdict;
import sh.stagehand.core.odoo.ModuleChanges;
import sh.stagehand.core.odoo.OdooVersion;
import sh.stagehand.core.pipeline.BuildSteps.OdooRun;
import sh.stagehand.core.pipeline.BuildSteps.Source;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.OnNewCommit;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.workspace.BuildWorkspaces;
import sh.stagehand.core.workspace.Filestores;
import sh.stagehand.core.workspace.ProductionLocks;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseConnection;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.PreparedImage;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Lock;

import static java.util.Objects.requireNonNull;

/**
 * A staging build, as on Odoo.sh: a neutralized copy of production, updated to the branch's
 * revision, with its mail caught.
 * <ol>
 * <li>The production database is copied while production keeps serving
 *     ({@link DatabaseProvider#copy}), its filestore as hard links ({@link Filestores#linkCopy}).</li>
 * <li>Odoo's own {@code odoo neutralize} runs on the copy (neutralize.log): mail servers and crons
 *     off, payment providers out of live mode, webhooks cut, the banner on.</li>
 * <li>Odoo's neutralization points mail nowhere (an active dummy server on host {@code invalid});
 *     the platform points that server at its mail catcher, with the build's credentials, so a
 *     staging build's mail is caught, never sent.</li>
 * <li>Modules whose manifest version differs from the copy's are updated, new ones installed
 *     (update.log); no demo data, no tests.</li>
 * <li>No production yet: a database from scratch, without demo data (install.log).</li>
 * <li>"Update previous build" (staging's default on new commit): the branch's previous staging
 *     database is taken over (renamed, its filestore moved) and updated; no new copy.</li>
 * </ol>
 * Once a staging build runs, the branch's older staging builds are collected: the newest staging
 * database of a branch is the one kept.
 * Thread-safe.
 */
@Singleton
public final class StagingPipeline
{
    /** The dummy mail server Odoo 17's {@code base/data/neutralize.sql} inserts. */
    static final String NEUTRALIZED_MAIL_SERVER = "neutralization - disable emails";

    private static final Logger log = LoggerFactory.getLogger(StagingPipeline.class);

    private final BuildSteps steps;
    private final DatabaseProvider databases;
    private final BuildWorkspaces workspaces;
    private final ProductionPipeline production;
    private final ProductionLocks locks;
    private final BuildStore builds;
    private final BuildCleaner cleaner;
    private final GarbageCollector collector;
    private final PlatformSettings settings;

    @Inject
    public StagingPipeline(BuildSteps steps, DatabaseProvider databases, BuildWorkspaces workspaces, ProductionPipeline production, ProductionLocks locks,
            BuildStore builds, BuildCleaner cleaner, GarbageCollector collector, PlatformSettings settings)
    {
        this.builds = requireNonNull(builds, "builds is null");
        this.cleaner = requireNonNull(cleaner, "cleaner is null");
        this.collector = requireNonNull(collector, "collector is null");
        this.steps = requireNonNull(steps, "steps is null");
        this.databases = requireNonNull(databases, "databases is null");
        this.workspaces = requireNonNull(workspaces, "workspaces is null");
        this.production = requireNonNull(production, "production is null");
        this.locks = requireNonNull(locks, "locks is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    public void run(Build claimed)
    {
        steps.run(claimed, (project, branch, build) -> {
            Lock lock = locks.ofBranch(project.id(), branch.name());
            lock.lock();
            try {
                Build running = build(project, branch, build);
                collectOlderBuilds(running);
                return running;
            }
            finally {
                lock.unlock();
            }
        });
    }

    private Build build(Project project, Branch branch, Build build)
    {
        Instant started = steps.now();
        Optional<Build> previous = branch.onNewCommit() == OnNewCommit.UPDATE_PREVIOUS ? previousWithDatabase(build) : Optional.empty();
        if (previous.isPresent()) {
            return updatePrevious(project, branch, build, previous.get(), started);
        }
        Optional<Build> serving = production.serving(project.id());
        Source source = steps.checkout(project, branch, build, serving.isPresent() ? LogName.UPDATE : LogName.INSTALL);
        PreparedImage image = steps.prepareImage(build, source);
        Path data = workspaces.data(build.id());
        if (serving.isEmpty()) {
            return fromScratch(project, branch, build, source, image, data, started);
        }

        build = steps.update(build.withState(BuildState.TESTING, "copying production"));
        Instant copyStarted = steps.now();
        DatabaseConnection connection;
        ContainerDirectory.Copy files;
        Lock lock = locks.of(project.id()).readLock();
        lock.lock();
        try {
            String productionDatabase = serving.get().databaseName();
            connection = databases.copy(productionDatabase, build.databaseName());
            files = Filestores.linkCopy(workspaces.productionDataDirectory(project.id()), Filestores.of(productionDatabase), workspaces.dataDirectory(build.id()),
                    Filestores.of(build.databaseName()));
        }
        finally {
            lock.unlock();
        }
        Duration copyTime = Duration.between(copyStarted, steps.now());
        String copied = "Copied production (build %d, %s): database and %d filestore files in %.1f s%s".formatted(
                serving.get().id(), BuildNames.shortCommit(serving.get().commitId()), files.files(), BuildSteps.seconds(copyTime),
                files.leftOut().isEmpty() ? "" : "; left out, being no regular files (links are never followed): " + files.leftOut());
        steps.note(build, LogName.NEUTRALIZE, copied);
        steps.event(build, EventKind.STAGING_COPIED, copied);

        OdooRun neutralized = neutralize(build, source, image, connection, data);
        pointMailAtCatcher(build);

        String from = "staging copy of production " + BuildNames.shortCommit(serving.get().commitId()) + ", neutralized; ";
        return update(project, branch, build, source, image, connection, data, started, neutralized.took(), from);
    }

    /**
     * Neutralizes a build's database whose content was just replaced (an imported database) with
     * Odoo's own {@code odoo neutralize}, points its mail at the catcher, and starts its server
     * again: what a staging copy of production gets.
     *
     * @throws StagehandException if neutralizing fails: the database is dropped, never served
     */
    public Build neutralizeAndServe(Build build)
    {
        return serve(build, true, "serving an imported database, neutralized");
    }

    /**
     * Starts a build's server again on its database as it is (after an import that did not restore).
     */
    public Build serveAgain(Build build, String why)
    {
        return serve(build, false, why);
    }

    private Build serve(Build build, boolean neutralize, String why)
    {
        Source source = steps.existingSource(build);
        DatabaseConnection connection = databases.renewCredentials(build.databaseName());
        Path data = workspaces.data(build.id());
        if (neutralize) {
            neutralize(build, source, steps.existingImage(build), connection, data);
            pointMailAtCatcher(build);
        }
        boolean crons = build.stage() != Stage.DEVELOPMENT;
        return steps.serveAgain(build, source, connection, data, crons, BuildSteps.Health.DATABASE, why);
    }

    /**
     * Odoo's own {@code odoo neutralize} on the build's database, to neutralize.log.
     *
     * @throws StagehandException if it fails: the database is dropped, never served
     */
    private OdooRun neutralize(Build build, Source source, PreparedImage image, DatabaseConnection connection, Path data)
    {
        steps.update(build.withState(BuildState.TESTING, "neutralizing the copy of production"));
        OdooRun neutralized = steps.runOdoo(build, LogName.NEUTRALIZE, steps.neutralizeCommand(build, source), image, connection, data);
        if (neutralized.failed()) {
            // Never serve a copy of production that may still send mail or charge cards.
            databases.drop(build.databaseName());
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Neutralizing the copy of production failed: odoo neutralize " + neutralized.describe()
                    + "; see neutralize.log. The copy was dropped");
        }
        return neutralized;
    }

    /**
     * Updates the staging database to the build's revision, then starts the server.
     */
    private Build update(Project project, Branch branch, Build build, Source source, PreparedImage image, DatabaseConnection connection, Path data, Instant started,
            Duration odooTime, String from)
    {
        ModuleChanges changes = ModuleChanges.between(source.addons(), source.selected(), steps.installedModules(build.databaseName()), OdooVersion.DEFAULT_SERIES);
        steps.note(build, LogName.UPDATE, "To " + BuildNames.shortCommit(build.commitId()) + ": " + changes.describe());
        BuildVerdict verdict = BuildVerdict.SUCCESS;
        String outcome = from + changes.describe();
        if (!changes.isEmpty()) {
            build = steps.update(build.withState(BuildState.TESTING, changes.describe()));
            OdooRun run = steps.runOdoo(build, LogName.UPDATE, steps.commandLine(build, source, false)
                    .withUpdate(changes.toUpdate()).withInstall(changes.toInstall()).withoutDemo().withStopAfterInit(), image, connection, data);
            odooTime = odooTime.plus(run.took());
            verdict = run.exitCode() == 0 ? run.analysis().verdict() : BuildVerdict.FAILED;
            if (run.failed()) {
                outcome = "failed: the update " + run.describe() + "; " + outcome;
            }
        }
        build = steps.update(build.withVerdict(verdict));
        Instant serverStarted = steps.now();
        // A staging server must serve its database (Odoo answers /web/health when its registry fails to
        // load); after a failed update it is started to be looked at, as a development build's is.
        BuildSteps.Health health = verdict == BuildVerdict.FAILED ? BuildSteps.Health.HTTP : BuildSteps.Health.DATABASE;
        ContainerInfo server = steps.startServer(build, image, steps.commandLine(build, source, branch.cronsEnabled()), connection, data, health);
        return steps.running(project, build, server, verdict, outcome, started, odooTime.plus(Duration.between(serverStarted, steps.now())));
    }

    private Build updatePrevious(Project project, Branch branch, Build build, Build previous, Instant started)
    {
        Source source = steps.checkout(project, branch, build, LogName.UPDATE);
        PreparedImage image = steps.prepareImage(build, source);
        Path data = workspaces.data(build.id());
        build = steps.update(build.withState(BuildState.TESTING, "taking over the database of build " + previous.id()));
        cleaner.removeContainers(previous.id());
        DatabaseConnection connection = databases.rename(previous.databaseName(), build.databaseName());
        try {
            // A link the previous build's container put in the filestore's place is neither followed nor moved.
            workspaces.dataDirectory(previous.id()).moveTo(Filestores.of(previous.databaseName()), workspaces.dataDirectory(build.id()), Filestores.of(build.databaseName()));
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot move the filestore of build " + previous.id() + " to build " + build.id() + ": " + e, e);
        }
        String takenOver = "its database and filestore were taken over by build " + build.id() + " (" + BuildNames.shortCommit(build.commitId()) + ")";
        steps.update(previous.withState(BuildState.STOPPED, takenOver).withContainer(Optional.empty(), Optional.empty()));
        steps.event(previous, EventKind.BUILD_STOPPED, "Build " + previous.id() + " stopped: " + takenOver);
        steps.note(build, LogName.UPDATE, "Updating the database of build " + previous.id() + " (" + BuildNames.shortCommit(previous.commitId()) + ") to " + BuildNames.shortCommit(build.commitId()));
        Duration odooTime = Duration.ZERO;
        // A copy of production whose neutralization a stopped platform cut short must not serve as it is.
        boolean neutralized = databases.query(build.databaseName(), "SELECT value FROM public.ir_config_parameter WHERE key = 'database.is_neutralized'", List.of()).stream()
                .anyMatch(row -> "true".equals(String.valueOf(row.get("value"))));
        if (!neutralized) {
            odooTime = neutralize(build, source, image, connection, data).took();
        }
        pointMailAtCatcher(build);
        return update(project, branch, build, source, image, connection, data, started, odooTime, "staging updated from build " + previous.id() + "; ");
    }

    /**
     * The branch's newest earlier staging build whose database is still there, to take over.
     */
    private Optional<Build> previousWithDatabase(Build build)
    {
        return builds.listBuilds(build.projectId(), build.branch()).stream()
                .filter(other -> other.id() < build.id() && other.stage() == Stage.STAGING)
                .filter(other -> other.state() == BuildState.RUNNING || other.state() == BuildState.SLEEPING || other.state() == BuildState.FAILED)
                .filter(other -> other.databaseName().equals(other.instanceName()) && databases.exists(other.databaseName()))
                .findFirst();
    }

    /**
     * Collects the branch's older staging builds once a newer one runs: one staging database per
     * branch is kept.
     */
    private void collectOlderBuilds(Build running)
    {
        if (running.state() != BuildState.RUNNING) {
            return;
        }
        for (Build older : builds.listBuilds(running.projectId(), running.branch())) {
            if (older.id() < running.id() && older.stage() == Stage.STAGING && (older.state() == BuildState.RUNNING || older.state() == BuildState.SLEEPING || older.state() == BuildState.FAILED)) {
                try {
                    collector.collect(older, "collected: build " + running.id() + " is the branch's newest staging build");
                }
                catch (RuntimeException e) {
                    // The new build serves; the next garbage collection tries again.
                    log.warn("Cannot collect staging build {} of {}/{}: {}", older.id(), older.projectId(), older.branch(), e.getMessage(), e);
                }
            }
        }
    }

    private Build fromScratch(Project project, Branch branch, Build build, Source source, PreparedImage image, Path data, Instant started)
    {
        List<String> modules = source.modulesForNewDatabase();
        steps.note(build, LogName.INSTALL, "No production yet: a new database without demo data");
        DatabaseConnection connection = databases.create(build.databaseName());
        build = steps.update(build.withState(BuildState.TESTING, "no production yet: installing " + String.join(", ", modules) + " without demo data"));
        OdooRun run = steps.runOdoo(build, LogName.INSTALL, steps.commandLine(build, source, false).withInstall(modules).withoutDemo().withStopAfterInit(), image, connection, data);
        BuildVerdict verdict = run.exitCode() == 0 ? run.analysis().verdict() : BuildVerdict.FAILED;
        build = steps.update(build.withVerdict(verdict));
        Instant serverStarted = steps.now();
        ContainerInfo server = steps.startServer(build, image, steps.commandLine(build, source, branch.cronsEnabled()), connection, data,
                verdict == BuildVerdict.FAILED ? BuildSteps.Health.HTTP : BuildSteps.Health.DATABASE);
        String outcome = (run.failed() ? "failed: the install " + run.describe() + "; " : "") + "no production yet: new database with " + String.join(", ", modules) + " (no demo data)";
        return steps.running(project, build, server, verdict, outcome, started, run.took().plus(Duration.between(serverStarted, steps.now())));
    }

    /**
     * Points the neutralized database's mail at the platform's catcher, logging in as the build:
     * Odoo 17's neutralization leaves an active dummy server on host {@code invalid} (so that
     * nothing falls back to {@code --smtp}); it becomes the catcher. Without it (another Odoo), a
     * server of the platform's is added. Every other server stays off.
     */
    private void pointMailAtCatcher(Build build)
    {
        List<Object> catcher = List.of(settings.smtpHost(), settings.smtpPort(), Long.toString(build.id()), build.smtpPassword());
        int updated = databases.execute(build.databaseName(), """
                UPDATE public.ir_mail_server SET smtp_host = ?, smtp_port = ?, smtp_user = ?, smtp_pass = ?, smtp_encryption = 'none', smtp_authentication = 'login', active = true
                WHERE name = '%s'""".formatted(NEUTRALIZED_MAIL_SERVER), catcher);
        if (updated == 0) {
            databases.execute(build.databaseName(), """
                    UPDATE public.ir_mail_server SET active = false;
                    INSERT INTO public.ir_mail_server (name, smtp_host, smtp_port, smtp_user, smtp_pass, smtp_encryption, smtp_authentication, active, sequence)
                    VALUES ('stagehand mail catcher', ?, ?, ?, ?, 'none', 'login', true, 1)""", catcher);
        }
        steps.note(build, LogName.NEUTRALIZE, "Mail of this database goes to the platform's mail catcher (" + settings.smtpHost() + ":" + settings.smtpPort() + "), never out");
    }
}
