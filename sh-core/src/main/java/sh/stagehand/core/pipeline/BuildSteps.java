package sh.stagehand.core.pipeline;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.logs.BuildLogs;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.odoo.AddonScan;
import sh.stagehand.core.odoo.BuildVerdict;
import sh.stagehand.core.odoo.LogAnalysis;
import sh.stagehand.core.odoo.LogAnalyzer;
import sh.stagehand.core.odoo.ModuleChanges;
import sh.stagehand.core.odoo.OdooCommandLine;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.routing.HostRouter;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.database.DatabaseConnection;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.PreparedImage;
import sh.stagehand.spi.vcs.CommitStatus;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * The steps every stage's build is made of — check out, scan the addons, prepare the image, run
 * Odoo to completion into a log, start the server, wait until it answers — and the frame they run
 * in (history, commit status, failure recording). A stage pipeline is a composition of these.
 * The stages' one entry to them: the checkout is {@link RevisionSources}', the image and the
 * containers {@link OdooContainers}', Odoo's command lines {@link BuildCommandLines}'.
 * Thread-safe: one instance serves every build at once.
 */
@Singleton
public final class BuildSteps
{
    public static final String ADDONS_DIRECTORY = "/mnt/stagehand-addons";
    public static final String DATA_DIRECTORY = "/var/lib/odoo";
    public static final int ODOO_PORT = 8069;

    private static final Logger log = LoggerFactory.getLogger(BuildSteps.class);

    private final ProjectStore projects;
    private final BuildStore builds;
    private final RevisionSources sources;
    private final OdooContainers containers;
    private final BuildCommandLines commandLines;
    private final DatabaseProvider databases;
    private final BuildLogs logs;
    private final CommitStatuses statuses;
    private final BuildCleaner cleaner;
    private final HostRouter hosts;
    private final Clock clock;

    @Inject
    public BuildSteps(
            ProjectStore projects,
            BuildStore builds,
            RevisionSources sources,
            OdooContainers containers,
            BuildCommandLines commandLines,
            DatabaseProvider databases,
            BuildLogs logs,
            CommitStatuses statuses,
            BuildCleaner cleaner,
            HostRouter hosts,
            Clock clock)
    {
        this.projects = requireNonNull(projects, "projects is null");
        this.hosts = requireNonNull(hosts, "hosts is null");
        this.builds = requireNonNull(builds, "builds is null");
        this.sources = requireNonNull(sources, "sources is null");
        this.containers = requireNonNull(containers, "containers is null");
        this.commandLines = requireNonNull(commandLines, "commandLines is null");
        this.databases = requireNonNull(databases, "databases is null");
        this.logs = requireNonNull(logs, "logs is null");
        this.statuses = requireNonNull(statuses, "statuses is null");
        this.cleaner = requireNonNull(cleaner, "cleaner is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * What a stage does with a claimed build, returning it as it ends (running). It throws for a
     * failed build; the frame records the failure.
     */
    @FunctionalInterface
    public interface StageBody
    {
        Build run(Project project, Branch branch, Build build);
    }

    /**
     * Runs a stage's body for a build the scheduler claimed, to {@link BuildState#RUNNING} or
     * {@link BuildState#FAILED}. Never throws for a failed build: the failure is recorded on the
     * build, in its history and in its commit status, and its containers are removed.
     */
    public void run(Build claimed, StageBody body)
    {
        Build build = claimed;
        Optional<Project> project = Optional.empty();
        try {
            project = Optional.of(projects.findProject(claimed.projectId())
                    .orElseThrow(() -> new IllegalStateException("Build " + claimed.id() + " of unknown project " + claimed.projectId())));
            Branch branch = projects.findBranch(claimed.projectId(), claimed.branch()).orElse(Branch.development(claimed.projectId(), claimed.branch()).withStage(claimed.stage()));
            event(build, EventKind.BUILD_STARTED, "Build " + build.id() + " started");
            statuses.report(project.get(), build, CommitStatus.State.PENDING, "Building");
            body.run(project.get(), branch, build);
        }
        catch (RuntimeException | Error e) {
            // Whatever failed, the build must not stay "building" nor leave a container running.
            Build current = builds.findBuild(claimed.id()).orElse(build);
            try {
                cleaner.removeContainers(current.id());
            }
            catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            fail(project, current, e);
            if (e instanceof Error error) {
                throw error;
            }
        }
        finally {
            for (LogName name : List.of(LogName.PIP, LogName.INSTALL, LogName.UPDATE, LogName.NEUTRALIZE)) {
                logs.close(claimed.id(), name);
            }
        }
    }

    /**
     * The revision's source and what it holds.
     *
     * @param workspace the checkout
     * @param addons the addons found in it
     * @param modules the modules the branch installs (its own, or its explicit list), possibly none:
     *        what a development build tests
     * @param apps the Odoo apps the branch installs besides ({@code Branch.apps}), not among
     *        {@code modules}, not tested
     */
    public record Source(Path workspace, AddonScan addons, List<String> modules, List<String> apps)
    {
        public Source
        {
            requireNonNull(workspace, "workspace is null");
            requireNonNull(addons, "addons is null");
            List<String> own = List.copyOf(requireNonNull(modules, "modules is null"));
            modules = own;
            apps = requireNonNull(apps, "apps is null").stream().filter(app -> !own.contains(app)).distinct().toList();
        }

        /**
         * Everything the branch installs: its modules, then its apps.
         */
        public List<String> selected()
        {
            return Stream.concat(modules.stream(), apps.stream()).toList();
        }

        /**
         * What to install in a new database: what the branch installs, or {@code base} when it has
         * nothing (Odoo needs base at least).
         */
        public List<String> modulesForNewDatabase()
        {
            List<String> selected = selected();
            return selected.isEmpty() ? List.of("base") : selected;
        }
    }

    /**
     * Checks the build's commit out into a fresh workspace and scans its addons; what Odoo will
     * not install is written to {@code notes}.
     */
    public Source checkout(Project project, Branch branch, Build build, LogName notes)
    {
        return sources.checkout(project, branch, build, notes);
    }

    /**
     * The build's image: the Odoo image, the revision's Python requirements (pip.log), its addons.
     */
    public PreparedImage prepareImage(Build build, Source source)
    {
        return containers.prepareImage(build, source);
    }

    /**
     * The modules of an existing database, as {@code ir_module_module} lists them.
     */
    public Map<String, ModuleChanges.InstalledModule> installedModules(String database)
    {
        Map<String, ModuleChanges.InstalledModule> modules = new LinkedHashMap<>();
        for (Map<String, Object> row : databases.query(database, "SELECT name, state, coalesce(latest_version, '') AS latest_version FROM public.ir_module_module", List.of())) {
            String name = String.valueOf(row.get("name"));
            modules.put(name, new ModuleChanges.InstalledModule(name, String.valueOf(row.get("state")), String.valueOf(row.get("latest_version"))));
        }
        return modules;
    }

    /**
     * How an Odoo run to completion ended.
     */
    public record OdooRun(int exitCode, LogAnalysis analysis, Duration took)
    {
        public boolean failed()
        {
            return exitCode != 0 || analysis.verdict() == BuildVerdict.FAILED;
        }

        /**
         * "exited with 255: Failed to initialize database `x`", or the first reason of the verdict.
         */
        public String describe()
        {
            String reason = analysis.reasons().isEmpty() ? "" : analysis.reasons().get(0);
            if (exitCode != 0) {
                return "exited with " + exitCode + (reason.isEmpty() ? "" : ": " + reason);
            }
            return reason.isEmpty() ? analysis.verdict().name().toLowerCase(Locale.ROOT) : reason;
        }
    }

    /**
     * Runs Odoo with {@code --stop-after-init} to its end, its output into {@code logName}, and
     * judges that output.
     */
    public OdooRun runOdoo(Build build, LogName logName, OdooCommandLine.Builder commandLine, PreparedImage image, DatabaseConnection database, Path dataDirectory)
    {
        // Neutralization loads no registry: no "Modules loaded." to wait for.
        LogAnalyzer analyzer = logName == LogName.NEUTRALIZE ? LogAnalyzer.withoutModuleLoading() : LogAnalyzer.forInstallOrUpdate();
        try {
            return containers.runToEnd(build, logName.name().toLowerCase(Locale.ROOT), image, commandLine, database, dataDirectory, analyzer, line -> logs.append(build.id(), logName, line));
        }
        finally {
            logs.close(build.id(), logName);
        }
    }

    /**
     * Runs {@code script} in {@code odoo shell} on the build's database, with the source's addons,
     * to its end; its lines go to the log {@code logName}, judged as an install's.
     */
    public OdooRun runOdooScript(Build build, LogName logName, Source source, String script, PreparedImage image, DatabaseConnection database, Path dataDirectory)
    {
        try {
            return containers.runScript(build, logName.name().toLowerCase(Locale.ROOT) + "-script", image, BuildCommandLines.shell(build, source), script, database, dataDirectory,
                    LogAnalyzer.forInstallOrUpdate(), line -> logs.append(build.id(), logName, line));
        }
        finally {
            logs.close(build.id(), logName);
        }
    }

    /**
     * {@code odoo neutralize} on a database that no build serves (a copy of a backup to download),
     * with the image and addons of {@code imageOf}, whose installed modules' neutralize.sql it runs.
     *
     * @param task a name for the container, unique among this build's at any time
     * @param output each line Odoo writes
     */
    public OdooRun neutralize(Build imageOf, String task, String database, DatabaseConnection connection, Path dataDirectory, Consumer<String> output)
    {
        return containers.runToEnd(imageOf, task, existingImage(imageOf), BuildCommandLines.neutralize(database, existingSource(imageOf)), connection, dataDirectory, LogAnalyzer.withoutModuleLoading(),
                output);
    }

    /**
     * The revision's Python requirements, each file's path and content: what its image installs.
     */
    public Map<String, String> requirements(Source source)
    {
        return RevisionSources.requirements(source);
    }

    /**
     * Odoo's command line for the build: its database only, the data directory, the mail catcher
     * and cron threads; the database server and the passwords are added where the container is
     * made, into its configuration file.
     */
    public OdooCommandLine.Builder commandLine(Build build, Source source, boolean crons)
    {
        return commandLines.server(build, source, crons);
    }

    /**
     * {@code odoo neutralize} on the build's database: Odoo's own neutralization of a copy.
     */
    public OdooCommandLine.Builder neutralizeCommand(Build build, Source source)
    {
        return BuildCommandLines.neutralize(build.databaseName(), source);
    }

    /**
     * What a started server must do to count as healthy.
     */
    public enum Health
    {
        /** Answer {@code /web/health}: the HTTP server runs (a development build with a failed install still serves its logs' subject). */
        HTTP,
        /**
         * Answer {@code /web/health} and then serve {@code /web/login}, which needs the database's
         * registry: Odoo keeps answering {@code /web/health} when its modules fail to load.
         */
        DATABASE,
        /**
         * Answer {@code /web/health} and then {@code /web/login} with any status: the registry was
         * loaded, or failed to load (a development build with a failed install), so that a request
         * relayed then is answered at once.
         */
        LOADED,
    }

    /**
     * Starts the build's server (its output followed into odoo.log) and waits until it is healthy.
     *
     * @throws IllegalStateException if it exits or is not healthy within the start timeout; it is
     *         removed then
     */
    public ContainerInfo startServer(Build build, PreparedImage image, OdooCommandLine.Builder commandLine, DatabaseConnection database, Path dataDirectory, Health health)
    {
        return containers.startServer(build, image, commandLine, database, dataDirectory, health);
    }

    /**
     * The source of a build that ran already, as its checkout lies in its workspace.
     *
     * @throws StagehandException {@code NOT_FOUND} if its checkout is gone
     */
    public Source existingSource(Build build)
    {
        return sources.existing(build);
    }

    /**
     * The image of a build that ran already.
     */
    public PreparedImage existingImage(Build build)
    {
        return new PreparedImage(OdooContainers.imageTag(build), OdooContainers.imageTag(build), true);
    }

    /**
     * Starts the server of a build that ran already, on its database as it is now (after a
     * rollback, a restart of the platform, a restored or imported database), and records it
     * running.
     */
    public Build serveAgain(Build build, Source source, DatabaseConnection database, Path dataDirectory, boolean crons, Health health, String why)
    {
        cleaner.removeContainers(build.id());
        ContainerInfo server = startServer(build, existingImage(build), commandLine(build, source, crons), database, dataDirectory, health);
        return update(build.withState(BuildState.RUNNING, why)
                .withServer(server, ODOO_PORT));
    }

    /**
     * Records the build as running on its server.
     */
    public Build running(Project project, Build build, ContainerInfo server, BuildVerdict verdict, String outcome, Instant started, Duration odooTime)
    {
        Duration total = Duration.between(started, clock.instant());
        String summary = "%s; running on port %d as %s, in %.1f s (Odoo %.1f s, platform %.1f s)".formatted(
                outcome, server.hostPort(ODOO_PORT), build.hostname(), seconds(total), seconds(odooTime), seconds(total.minus(odooTime)));
        Build running = update(build.withState(BuildState.RUNNING, summary)
                .withVerdict(verdict)
                .withServer(server, ODOO_PORT)
                .withFinishedAt(clock.instant()));
        event(running, EventKind.BUILD_RUNNING, "Build " + running.id() + " " + summary);
        statuses.report(project, running, verdict == BuildVerdict.FAILED ? CommitStatus.State.FAILURE : CommitStatus.State.SUCCESS, outcome);
        log.info("Build {} of {}/{}: {}", running.id(), running.projectId(), running.branch(), summary);
        return running;
    }

    /**
     * Appends a line of the platform's own to one of the build's logs.
     */
    public void note(Build build, LogName logName, String line)
    {
        logs.append(build.id(), logName, "[stagehand] " + line);
    }

    /**
     * Records the build as it now is; its host names route by it at once (production's to the
     * maintenance page from the moment it is updating).
     */
    public Build update(Build build)
    {
        builds.updateBuild(build);
        hosts.refresh();
        return build;
    }

    public void event(Build build, EventKind kind, String message)
    {
        builds.appendEvent(build, kind, message, clock.instant());
    }

    public Instant now()
    {
        return clock.instant();
    }

    private void fail(Optional<Project> project, Build build, Throwable e)
    {
        log.warn("Build {} of {}/{} failed: {}", build.id(), build.projectId(), build.branch(), e.getMessage(), e);
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        Build failed = build.withState(BuildState.FAILED, message).withVerdict(BuildVerdict.FAILED)
                .withContainer(Optional.empty(), Optional.empty()).withFinishedAt(clock.instant());
        try {
            update(failed);
            event(failed, EventKind.BUILD_FAILED, "Build " + build.id() + " failed: " + message);
        }
        catch (RuntimeException recordFailure) {
            e.addSuppressed(recordFailure);
            log.error("Cannot record the failure of build {}; the next start reconciles it", build.id(), e);
        }
        project.ifPresent(known -> statuses.report(known, failed, CommitStatus.State.ERROR, message));
    }

    static double seconds(Duration duration)
    {
        return duration.toMillis() / 1000.0;
    }
}
