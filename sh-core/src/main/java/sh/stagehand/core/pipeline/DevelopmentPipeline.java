package sh.stagehand.core.pipeline;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.PlatformSettings;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.logs.BuildLogs;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.odoo.AddonScan;
import sh.stagehand.core.odoo.AddonScanner;
import sh.stagehand.core.odoo.BuildVerdict;
import sh.stagehand.core.odoo.InvalidAddon;
import sh.stagehand.core.odoo.LogAnalysis;
import sh.stagehand.core.odoo.LogAnalyzer;
import sh.stagehand.core.odoo.OdooCommandLine;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.database.DatabaseConnection;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.ContainerSpec;
import sh.stagehand.spi.runtime.ImageSpec;
import sh.stagehand.spi.runtime.LogFollow;
import sh.stagehand.spi.runtime.Mount;
import sh.stagehand.spi.runtime.PreparedImage;
import sh.stagehand.spi.runtime.RuntimeProvider;
import sh.stagehand.spi.vcs.CommitStatus;
import sh.stagehand.spi.vcs.VcsProvider;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * A development build, as on Odoo.sh: check out the commit, prepare the image (pip.log), create a
 * fresh database, install the branch's modules with demo data and run their tests (install.log),
 * judge the logs (success / warning / failed), then keep a server running for that database only
 * (odoo.log), reachable on a loopback port and known by its host name. Thread-safe: one instance
 * runs many builds at once.
 */
@Singleton
public final class DevelopmentPipeline
{
    public static final String ADDONS_DIRECTORY = "/mnt/stagehand-addons";
    public static final String DATA_DIRECTORY = "/var/lib/odoo";
    public static final int ODOO_PORT = 8069;
    private static final String REQUIREMENTS = "requirements.txt";

    private static final Logger log = LoggerFactory.getLogger(DevelopmentPipeline.class);

    private final ProjectStore projects;
    private final BuildStore builds;
    private final VcsProvider vcs;
    private final RuntimeProvider runtime;
    private final DatabaseProvider databases;
    private final BuildLogs logs;
    private final BuildWorkspaces workspaces;
    private final CommitStatuses statuses;
    private final BuildCleaner cleaner;
    private final PlatformSettings settings;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Inject
    public DevelopmentPipeline(
            ProjectStore projects,
            BuildStore builds,
            VcsProvider vcs,
            RuntimeProvider runtime,
            DatabaseProvider databases,
            BuildLogs logs,
            BuildWorkspaces workspaces,
            CommitStatuses statuses,
            BuildCleaner cleaner,
            PlatformSettings settings,
            Clock clock)
    {
        this.projects = requireNonNull(projects, "projects is null");
        this.builds = requireNonNull(builds, "builds is null");
        this.vcs = requireNonNull(vcs, "vcs is null");
        this.runtime = requireNonNull(runtime, "runtime is null");
        this.databases = requireNonNull(databases, "databases is null");
        this.logs = requireNonNull(logs, "logs is null");
        this.workspaces = requireNonNull(workspaces, "workspaces is null");
        this.statuses = requireNonNull(statuses, "statuses is null");
        this.cleaner = requireNonNull(cleaner, "cleaner is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Runs the build, claimed by the scheduler (state {@link BuildState#BUILDING}), to
     * {@link BuildState#RUNNING} or {@link BuildState#FAILED}. Never throws for a failed build: the
     * failure is recorded on the build, in its history and in its commit status.
     */
    public void run(Build claimed)
    {
        Build build = claimed;
        Optional<Project> project = Optional.empty();
        try {
            project = Optional.of(projects.findProject(claimed.projectId())
                    .orElseThrow(() -> new IllegalStateException("Build " + claimed.id() + " of unknown project " + claimed.projectId())));
            Branch branch = projects.findBranch(claimed.projectId(), claimed.branch()).orElse(Branch.development(claimed.projectId(), claimed.branch()));
            builds.appendEvent(build, EventKind.BUILD_STARTED, "Build " + build.id() + " started", clock.instant());
            statuses.report(project.get(), build, CommitStatus.State.PENDING, "Building");
            build = runSteps(project.get(), branch, build);
        }
        catch (RuntimeException | Error e) {
            // Whatever failed, the build must not stay "building" nor leave a container running.
            try {
                cleaner.removeContainers(build.id());
            }
            catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            fail(project, build, e);
            if (e instanceof Error error) {
                throw error;
            }
        }
        finally {
            logs.close(build.id(), LogName.PIP);
            logs.close(build.id(), LogName.INSTALL);
        }
    }

    private Build runSteps(Project project, Branch branch, Build build)
    {
        Instant started = clock.instant();
        // A build runs once: anything already under its id was left by an earlier platform whose
        // records were lost (ids start again with a new metadata database).
        workspaces.delete(build.id());
        logs.clearStale(build.id());
        Path workspace = workspaces.source(build.id());
        vcs.checkout(project.repository(), build.commitId(), workspace);
        AddonScan addons = AddonScanner.scan(workspace);
        List<String> modules = addons.modulesToInstall(branch.moduleSelection(), branch.explicitModules());
        for (String note : addonsPathNotes(addons, branch, modules)) {
            logs.append(build.id(), LogName.INSTALL, note);
        }
        // A branch without modules of its own still gets a working database: Odoo needs base at least.
        List<String> toInstall = modules.isEmpty() ? List.of("base") : modules;

        long buildId = build.id();
        PreparedImage image = runtime.prepareImage(
                new ImageSpec(settings.odooImage(), workspace, ADDONS_DIRECTORY, requirementsFiles(workspace, addons), imageTag(build), labels(build, "image")),
                line -> logs.append(buildId, LogName.PIP, line.text()));
        logs.close(buildId, LogName.PIP);
        DatabaseConnection database = databases.create(build.databaseName());
        Path dataDirectory = workspaces.data(buildId);

        build = update(build.withState(BuildState.TESTING, "installing " + String.join(", ", toInstall) + " with demo data and tests"));
        OdooCommandLine.Builder install = commandLine(build, addons, false)
                .withInstall(toInstall)
                .withStopAfterInit();
        // As Odoo.sh: the tests of the branch's modules, not Odoo's whole core suite, unless the branch says otherwise.
        testTags(branch, modules).ifPresent(install::withTestTags);
        Instant installStarted = clock.instant();
        LogAnalyzer analyzer = LogAnalyzer.forInstallOrUpdate();
        int exitCode = runToCompletion(build, install.build(), image, database, dataDirectory, analyzer);
        Duration odooTime = Duration.between(installStarted, clock.instant());
        LogAnalysis judged = analyzer.result();
        BuildVerdict verdict = exitCode == 0 ? judged.verdict() : BuildVerdict.FAILED;
        build = update(build.withVerdict(verdict));

        Instant serverStarted = clock.instant();
        ContainerInfo server = startServer(build, branch, image, addons, database, dataDirectory);
        waitUntilServing(build, server);
        odooTime = odooTime.plus(Duration.between(serverStarted, clock.instant()));

        Duration total = Duration.between(started, clock.instant());
        String summary = "%s; running on port %d as %s, %s in %.1f s (Odoo %.1f s, platform %.1f s)".formatted(
                verdictText(verdict, judged, exitCode), server.hostPort(ODOO_PORT), build.hostname(), String.join(", ", toInstall),
                seconds(total), seconds(odooTime), seconds(total.minus(odooTime)));
        build = update(build.withState(BuildState.RUNNING, summary)
                .withContainer(Optional.of(server.id()), Optional.of(server.hostPort(ODOO_PORT)))
                .withFinishedAt(clock.instant()));
        builds.appendEvent(build, EventKind.BUILD_RUNNING, "Build " + build.id() + " " + summary, clock.instant());
        statuses.report(project, build, verdict == BuildVerdict.FAILED ? CommitStatus.State.FAILURE : CommitStatus.State.SUCCESS, verdictText(verdict, judged, exitCode));
        log.info("Build {} of {}/{}: {}", build.id(), build.projectId(), build.branch(), summary);
        return build;
    }

    private int runToCompletion(Build build, OdooCommandLine commandLine, PreparedImage image, DatabaseConnection database, Path dataDirectory, LogAnalyzer analyzer)
    {
        ContainerInfo installer = runtime.start(containerSpec(build, "install", image, commandLine.command(), database, dataDirectory).build());
        try (LogFollow follow = runtime.followLogs(installer.id(), line -> {
            logs.append(build.id(), LogName.INSTALL, line.text());
            analyzer.accept(line.text());
        })) {
            int exitCode = runtime.awaitExit(installer.id(), settings.installTimeout());
            follow.awaitCompletion(Duration.ofSeconds(30));
            return exitCode;
        }
        finally {
            runtime.remove(installer.id());
        }
    }

    private ContainerInfo startServer(Build build, Branch branch, PreparedImage image, AddonScan addons, DatabaseConnection database, Path dataDirectory)
    {
        OdooCommandLine serve = commandLine(build, addons, branch.cronsEnabled()).withHttpPort(ODOO_PORT).build();
        ContainerInfo server = runtime.start(containerSpec(build, "server", image, serve.command(), database, dataDirectory)
                .withPublishedPort(ODOO_PORT)
                .build());
        // Ends by itself when the container stops; closed first when the build is cleaned.
        logs.attachSource(build.id(), LogName.ODOO, runtime.followLogs(server.id(), line -> logs.append(build.id(), LogName.ODOO, line.text())));
        return server;
    }

    private void waitUntilServing(Build build, ContainerInfo server)
    {
        URI health = URI.create("http://127.0.0.1:" + server.hostPort(ODOO_PORT) + "/web/health");
        Instant deadline = clock.instant().plus(settings.startTimeout());
        while (clock.instant().isBefore(deadline)) {
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            }
            catch (IOException e) {
                // not listening yet
            }
            catch (InterruptedException e) {
                throw StagehandException.interrupted("waiting for build " + build.id() + " to answer HTTP", e);
            }
            if (runtime.inspect(server.id()).map(info -> !info.state().isRunning()).orElse(true)) {
                throw new IllegalStateException("The server of build " + build.id() + " exited before answering HTTP; see odoo.log");
            }
            sleep(Duration.ofMillis(200));
        }
        throw new IllegalStateException("The server of build " + build.id() + " did not answer " + health + " within " + settings.startTimeout() + "; see odoo.log");
    }

    /**
     * What the build must say about the addons on its addons path before Odoo runs, as lines for
     * install.log: the invalid addons it does not install (Odoo leaves a module alone until it is
     * asked for), and the modules it installs whose external_dependencies Odoo will not read.
     *
     * @throws StagehandException for an addon whose manifest Odoo itself cannot load: Odoo 17
     *         reads every manifest on the addons path when it creates a database
     *         ({@code odoo/modules/db.py}), so a new database cannot be made
     */
    static List<String> addonsPathNotes(AddonScan addons, Branch branch, List<String> modules)
    {
        List<String> notes = new ArrayList<>();
        for (InvalidAddon skipped : addons.invalidAddonsNotSelected(branch.moduleSelection(), branch.explicitModules())) {
            if (skipped.odooRefuses()) {
                throw new StagehandException(skipped::errorCode, "Addon %s at %s is not one this build installs, but Odoo reads every manifest on the addons path when it creates a database, and cannot read this one. %s"
                        .formatted(skipped.name(), skipped.relativePath(), skipped.problem()));
            }
            notes.add("[stagehand] Addon %s at %s is not installed by this build, and could not be: %s"
                    .formatted(skipped.name(), skipped.relativePath(), skipped.problem().lines().findFirst().orElse("")));
        }
        for (String module : modules) {
            addons.addon(module)
                    .filter(addon -> addon.manifest().raw().get("external_dependencies") instanceof List)
                    .ifPresent(addon -> notes.add(("[stagehand] Addon %s declares external_dependencies as a list of entries; Odoo 17 reads only "
                            + "{'python': [...], 'bin': [...]} and will refuse to install it (\"'list' object has no attribute 'get'\")").formatted(addon.name())));
        }
        return notes;
    }

    /**
     * The branch's test tags; else tags that select the modules the build installs (with
     * {@code --test-enable} alone Odoo would run the tests of every module it installs, core ones
     * included); none when the branch has no module of its own to test.
     */
    static Optional<String> testTags(Branch branch, List<String> modules)
    {
        if (branch.testTags().isPresent()) {
            return branch.testTags();
        }
        return modules.isEmpty() ? Optional.empty() : Optional.of(modules.stream().map(module -> "/" + module).collect(Collectors.joining(",")));
    }

    // The database server comes from the HOST, PORT, USER and PASSWORD variables, as the official image takes it.
    private OdooCommandLine.Builder commandLine(Build build, AddonScan addons, boolean crons)
    {
        return OdooCommandLine.server()
                .withDatabase(build.databaseName())
                .withDatabaseFilter()
                .withNoDatabaseList()
                .withAddonsPath(addons.addonsPath(ADDONS_DIRECTORY))
                .withDataDirectory(DATA_DIRECTORY)
                .withMaxCronThreads(crons ? 1 : 0)
                .withSmtp(settings.smtpHost(), settings.smtpPort())
                .withSmtpCredentials(Long.toString(build.id()), build.smtpPassword())
                .withLogLevel("test");
    }

    // A requirements.txt at the repository root or beside any addons directory, as Odoo.sh reads them.
    private static List<String> requirementsFiles(Path workspace, AddonScan addons)
    {
        Set<String> files = new TreeSet<>();
        if (Files.isRegularFile(workspace.resolve(REQUIREMENTS), LinkOption.NOFOLLOW_LINKS)) {
            files.add(REQUIREMENTS);
        }
        for (String directory : addons.addonsDirectories()) {
            String candidate = directory.isEmpty() || directory.equals(".") ? REQUIREMENTS : directory + "/" + REQUIREMENTS;
            if (Files.isRegularFile(workspace.resolve(candidate), LinkOption.NOFOLLOW_LINKS)) {
                files.add(candidate);
            }
        }
        return List.copyOf(files);
    }

    private ContainerSpec.Builder containerSpec(Build build, String role, PreparedImage image, List<String> command, DatabaseConnection database, Path dataDirectory)
    {
        String name = role.equals("server") ? build.databaseName() : build.databaseName() + "-" + role;
        return ContainerSpec.builder(name, image.tag())
                .withCommand(command)
                .withEnv(Map.of("HOST", database.host(), "PORT", Integer.toString(database.port()), "USER", database.user(), "PASSWORD", database.password()))
                .withLabels(labels(build, role))
                .withMount(Mount.readWrite(dataDirectory.toAbsolutePath(), DATA_DIRECTORY))
                .withMemoryLimit(settings.containerMemoryBytes())
                .withCpuLimit(settings.containerCpus());
    }

    static Map<String, String> labels(Build build, String role)
    {
        return Map.of(
                Labels.PROJECT, build.projectId(),
                Labels.BRANCH, build.branch(),
                Labels.BUILD, Long.toString(build.id()),
                Labels.ROLE, role);
    }

    static String imageTag(Build build)
    {
        return "stagehand/build:" + build.databaseName();
    }

    private void fail(Optional<Project> project, Build build, Throwable e)
    {
        log.warn("Build {} of {}/{} failed: {}", build.id(), build.projectId(), build.branch(), e.getMessage(), e);
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        Build failed = build.withState(BuildState.FAILED, message).withVerdict(BuildVerdict.FAILED).withFinishedAt(clock.instant());
        try {
            update(failed);
            builds.appendEvent(failed, EventKind.BUILD_FAILED, "Build " + build.id() + " failed: " + message, clock.instant());
        }
        catch (RuntimeException recordFailure) {
            e.addSuppressed(recordFailure);
            log.error("Cannot record the failure of build {}; the next start reconciles it", build.id(), e);
        }
        project.ifPresent(known -> statuses.report(known, failed, CommitStatus.State.ERROR, "Platform error: " + message));
    }

    private Build update(Build build)
    {
        builds.updateBuild(build);
        return build;
    }

    private static String verdictText(BuildVerdict verdict, LogAnalysis judged, int exitCode)
    {
        String text = switch (verdict) {
            case SUCCESS -> "success";
            case WARNING -> "warning";
            case FAILED -> "failed";
        };
        if (exitCode != 0) {
            text += " (install exited with " + exitCode + ")";
        }
        if (!judged.reasons().isEmpty()) {
            text += ": " + judged.reasons().get(0);
        }
        return text;
    }

    private static double seconds(Duration duration)
    {
        return duration.toMillis() / 1000.0;
    }

    private static void sleep(Duration duration)
    {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException e) {
            throw StagehandException.interrupted("waiting for a build's server", e);
        }
    }
}
