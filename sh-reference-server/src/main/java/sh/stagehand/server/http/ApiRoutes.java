package sh.stagehand.server.http;

import io.javalin.config.JavalinConfig;
import sh.stagehand.core.Stagehand;
import sh.stagehand.server.ServerLimits;
import sh.stagehand.server.git.GitHosting;
import sh.stagehand.spi.StagehandException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The platform's HTTP API. Each handler reads the request, calls sh-core, and writes JSON; a
 * {@link StagehandException} becomes a status and {@code {"error": CODE, "message": ...}}
 * ({@link ApiErrors}).
 *
 * <p>The routes are grouped by what they are about, each group a class of its own registered
 * here: {@link ProjectRoutes} (projects, branches, GitHub's webhook), {@link BackupRoutes}
 * (backups, restores, imports), {@link BuildRoutes} (builds, their mail and logs),
 * {@link HostRoutes} (host names the platform answers for) and {@link AccountRoutes} (sessions,
 * accounts, collaborators).
 */
public final class ApiRoutes
{
    private final Supplier<String> publicUrl;
    private final ApiErrors errors;
    private final ProjectRoutes projects;
    private final BackupRoutes backups;
    private final BuildRoutes builds;
    private final HostRoutes hosts;
    private final AccountRoutes accounts;
    private final ShellRoutes shells;
    private final EditorRoutes editor;
    private final StatusRoutes status;
    private final List<String> routes = new ArrayList<>();

    public ApiRoutes(Stagehand stagehand, Supplier<String> publicUrl, GitHosting git, Authentication authentication, ServerLimits limits)
    {
        requireNonNull(limits, "limits is null");
        requireNonNull(authentication, "authentication is null");
        requireNonNull(git, "git is null");
        requireNonNull(stagehand, "stagehand is null");
        requireNonNull(publicUrl, "publicUrl is null");
        this.publicUrl = () -> publicUrl.get().replaceAll("/+$", "");
        this.errors = new ApiErrors(this.publicUrl);
        this.projects = new ProjectRoutes(stagehand, this.publicUrl, git);
        this.backups = new BackupRoutes(stagehand, limits);
        this.builds = new BuildRoutes(stagehand);
        this.hosts = new HostRoutes(stagehand);
        this.accounts = new AccountRoutes(stagehand, authentication);
        this.shells = new ShellRoutes(stagehand, Clock.systemUTC());
        this.editor = new EditorRoutes(stagehand);
        this.status = new StatusRoutes(stagehand);
    }

    public void register(JavalinConfig config)
    {
        errors.register(config);
        RouteTable table = new RouteTable(config, routes);
        table.get("/api/openapi.yaml", context -> context.contentType("application/yaml; charset=utf-8").result(openApi()));
        projects.register(table);
        backups.register(table);
        builds.register(table);
        hosts.register(table);
        accounts.register(table);
        shells.register(table);
        editor.register(table);
        status.register(table);
    }

    /**
     * The API's routes as they were registered, {@code "GET /api/projects/{project}"}: what its
     * OpenAPI document must describe.
     */
    public List<String> routes()
    {
        return List.copyOf(routes);
    }

    private static String openApi()
    {
        try (var in = ApiRoutes.class.getResourceAsStream("openapi.yaml")) {
            return new String(requireNonNull(in, "openapi.yaml is missing from the jar").readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
