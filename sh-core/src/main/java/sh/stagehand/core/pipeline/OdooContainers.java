package sh.stagehand.core.pipeline;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.core.logs.BuildLogs;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.odoo.LogAnalyzer;
import sh.stagehand.core.odoo.OdooCommandLine;
import sh.stagehand.core.pipeline.BuildSteps.Health;
import sh.stagehand.core.pipeline.BuildSteps.OdooRun;
import sh.stagehand.core.pipeline.BuildSteps.Source;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.workspace.BuildWorkspaces;
import sh.stagehand.core.workspace.Labels;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.database.DatabaseConnection;
import sh.stagehand.spi.runtime.ContainerFile;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.ContainerSpec;
import sh.stagehand.spi.runtime.ImageRecipe;
import sh.stagehand.spi.runtime.ImageSpec;
import sh.stagehand.spi.runtime.LogFollow;
import sh.stagehand.spi.runtime.Mount;
import sh.stagehand.spi.runtime.PreparedImage;
import sh.stagehand.spi.runtime.RuntimeProvider;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.core.pipeline.BuildSteps.ADDONS_DIRECTORY;
import static sh.stagehand.core.pipeline.BuildSteps.DATA_DIRECTORY;
import static sh.stagehand.core.pipeline.BuildSteps.ODOO_PORT;

/**
 * A build's image and its Odoo containers: the image prepared, Odoo run to its end, the server
 * started and awaited until it answers. Each container runs as the workspace's user, within its
 * stage's limits, with the database's credentials in a configuration file of its own. Thread-safe.
 */
@Singleton
final class OdooContainers
{
    private final RuntimeProvider runtime;
    private final BuildLogs logs;
    private final BuildWorkspaces workspaces;
    private final PlatformSettings settings;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Inject
    OdooContainers(RuntimeProvider runtime, BuildLogs logs, BuildWorkspaces workspaces, PlatformSettings settings, Clock clock)
    {
        this.runtime = requireNonNull(runtime, "runtime is null");
        this.logs = requireNonNull(logs, "logs is null");
        this.workspaces = requireNonNull(workspaces, "workspaces is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * The build's image: the Odoo image, the revision's Python requirements (pip.log), its addons.
     */
    PreparedImage prepareImage(Build build, Source source)
    {
        try {
            Optional<ImageRecipe> requirements = RevisionSources.requirementsRecipe(source, build.projectId());
            PreparedImage image = runtime.prepareImage(
                    sourceOwned(build, new ImageSpec(settings.odooImage(), source.workspace(), ADDONS_DIRECTORY, requirements, imageTag(build), labels(build, "image"),
                            Optional.of(build.projectId()))),
                    line -> logs.append(build.id(), LogName.PIP, line.text()));
            if (requirements.isPresent() && image.requirementsReused()) {
                logs.append(build.id(), LogName.PIP, "Requirements unchanged (" + String.join(", ", RevisionSources.requirementsFiles(source.workspace(), source.addons()))
                        + "): reusing " + image.requirementsImage() + ", pip not run");
            }
            return image;
        }
        finally {
            logs.close(build.id(), LogName.PIP);
        }
    }

    // The branch's sources are the container's user's on development and staging, for the online
    // editor; production's are root's, which the container's user only reads.
    private ImageSpec sourceOwned(Build build, ImageSpec spec)
    {
        return build.stage() == Stage.PRODUCTION ? spec : spec.withSourceOwner(workspaces.containerUser().asDockerUser());
    }

    /**
     * Runs Odoo in a container of the build's to its end, each line to {@code output} and
     * {@code analyzer}; the container is removed then.
     */
    OdooRun runToEnd(Build build, String role, PreparedImage image, OdooCommandLine.Builder commandLine, DatabaseConnection database, Path dataDirectory, LogAnalyzer analyzer,
            Consumer<String> output)
    {
        return runToEnd(build, containerSpec(build, role, image, commandLine, database, dataDirectory), analyzer, output);
    }

    /** Where a script for {@code odoo shell} is, in its container. */
    static final String SCRIPT_FILE = "/run/stagehand/script.py";

    /**
     * Runs {@code odoo shell} in a container of the build's to its end, {@code script} its input,
     * as {@link #runToEnd(Build, String, PreparedImage, OdooCommandLine.Builder, DatabaseConnection, Path, LogAnalyzer, Consumer) runToEnd}
     * runs Odoo: the script is a file of the container's, never part of a command line.
     */
    OdooRun runScript(Build build, String role, PreparedImage image, OdooCommandLine.Builder shellCommand, String script, DatabaseConnection database, Path dataDirectory,
            LogAnalyzer analyzer, Consumer<String> output)
    {
        ContainerSpec.Builder spec = containerSpec(build, role, image, shellCommand, database, dataDirectory).withFile(ContainerFile.secret(SCRIPT_FILE, script));
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "exec \"$0\" \"$@\" < " + SCRIPT_FILE));
        command.addAll(spec.build().command());
        return runToEnd(build, spec.withCommand(command), analyzer, output);
    }

    private OdooRun runToEnd(Build build, ContainerSpec.Builder spec, LogAnalyzer analyzer, Consumer<String> output)
    {
        Instant started = clock.instant();
        ContainerInfo container = runtime.start(spec.build());
        try (LogFollow follow = runtime.followLogs(container.id(), line -> {
            output.accept(line.text());
            analyzer.accept(line.text());
        })) {
            int exitCode = runtime.awaitExit(container.id(), settings.installTimeout());
            follow.awaitCompletion(Duration.ofSeconds(30));
            return new OdooRun(exitCode, analyzer.result(), Duration.between(started, clock.instant()));
        }
        finally {
            runtime.remove(container.id());
        }
    }

    /**
     * Starts the build's server (its output followed into odoo.log) and waits until it is healthy.
     *
     * @throws IllegalStateException if it exits or is not healthy within the start timeout; it is
     *         removed then
     */
    ContainerInfo startServer(Build build, PreparedImage image, OdooCommandLine.Builder commandLine, DatabaseConnection database, Path dataDirectory, Health health)
    {
        ContainerInfo server = runtime.start(containerSpec(build, "server", image, commandLine.withHttpPort(ODOO_PORT), database, dataDirectory)
                .withPublishedPort(ODOO_PORT)
                .build());
        // Ends by itself when the container stops; closed first when the build is cleaned.
        logs.attachSource(build.id(), LogName.ODOO, runtime.followLogs(server.id(), line -> logs.append(build.id(), LogName.ODOO, line.text())));
        try {
            awaitAnswer(build, server, "/web/health", true);
            if (health != Health.HTTP) {
                awaitAnswer(build, server, "/web/login", health == Health.DATABASE);
            }
        }
        catch (RuntimeException e) {
            runtime.remove(server.id());
            throw e;
        }
        return server;
    }

    // ok: only a 200 will do; otherwise any answer
    private void awaitAnswer(Build build, ContainerInfo server, String path, boolean ok)
    {
        URI health = URI.create("http://" + server.host() + ":" + server.hostPort(ODOO_PORT) + path);
        Instant deadline = clock.instant().plus(settings.startTimeout());
        int lastStatus = 0;
        while (clock.instant().isBefore(deadline)) {
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200 || !ok) {
                    return;
                }
                lastStatus = response.statusCode();
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
        throw new IllegalStateException("The server of build " + build.id() + " did not answer " + path + " with 200 within " + settings.startTimeout().toSeconds() + " s"
                + (lastStatus == 0 ? "" : " (last answer: " + lastStatus + ")") + "; see odoo.log");
    }

    /** The build database's password, for psql in the build's shells ({@code PGPASSFILE}). */
    public static final String PASSWORD_FILE = "/run/stagehand/pgpass";

    // The database's credentials and the mail catcher's go into Odoo's configuration file, a file
    // of the container's own: neither the host's process list nor the engine's inspect shows them.
    // psql in a shell of the container finds the build's database through libpq's PG* variables and
    // its password in a password file of the container's own; Odoo does not read them, as it gives
    // libpq its host, port, user and password itself (connection_info_for, odoo/sql_db.py).
    private ContainerSpec.Builder containerSpec(Build build, String role, PreparedImage image, OdooCommandLine.Builder commandLine, DatabaseConnection database, Path dataDirectory)
    {
        String name = role.equals("server") ? build.instanceName() : build.instanceName() + "-" + role;
        OdooCommandLine command = commandLine
                .withDatabaseServer(database.host(), database.port(), database.user())
                .withDatabasePassword(database.password())
                .build();
        return ContainerSpec.builder(name, image.tag())
                .withCommand(command.command())
                .withFile(ContainerFile.secret(OdooCommandLine.CONFIG_FILE, command.configFile().orElseThrow()))
                .withFile(ContainerFile.secret(PASSWORD_FILE, passwordFileLine(database, build.databaseName())))
                .withEnv("PGHOST", database.host())
                .withEnv("PGPORT", Integer.toString(database.port()))
                .withEnv("PGUSER", database.user())
                .withEnv("PGDATABASE", build.databaseName())
                .withEnv("PGPASSFILE", PASSWORD_FILE)
                .withLabels(labels(build, role))
                .withMount(Mount.readWrite(dataDirectory.toAbsolutePath(), DATA_DIRECTORY))
                .withUser(workspaces.containerUser().asDockerUser())
                // Odoo asks who it runs as (getpass): a user the image's passwd may not know.
                .withEnv("LOGNAME", "odoo")
                .withTenant(build.projectId())
                .withMemoryLimit(settings.limits(build.stage()).memoryBytes())
                .withCpuLimit(settings.limits(build.stage()).cpus())
                .withPidsLimit(settings.limits(build.stage()).pids());
    }

    // hostname:port:database:username:password, ':' and '\\' escaped (libpq's "The Password File").
    private static String passwordFileLine(DatabaseConnection database, String databaseName)
    {
        return String.join(":", List.of(database.host(), Integer.toString(database.port()), databaseName, database.user(), database.password()).stream()
                .map(field -> field.replace("\\", "\\\\").replace(":", "\\:"))
                .toList()) + "\n";
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
        return "stagehand/build:" + build.instanceName();
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
