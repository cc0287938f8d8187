package sh.stagehand.server;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.Stagehand;
import sh.stagehand.server.http.ApiRoutes;
import sh.stagehand.server.http.Authentication;
import sh.stagehand.server.http.ClientAddress;
import sh.stagehand.server.http.ConsoleHeaders;
import sh.stagehand.server.http.HttpMetrics;
import sh.stagehand.server.http.MetricsEndpoint;
import sh.stagehand.server.http.BuildProxy;
import sh.stagehand.server.http.WebsocketRelay;
import sh.stagehand.server.git.GitHosting;
import sh.stagehand.server.smtp.MailCatcher;
import sh.stagehand.server.ssh.SshAccess;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The HTTP and SMTP face of a {@link Stagehand} platform; starting it starts the platform's own
 * housekeeping ({@link Stagehand#start()}). Thread-safe.
 */
public final class ReferenceServer
        implements AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(ReferenceServer.class);

    private final Stagehand stagehand;
    private final ServerConfig config;
    private final Instant startedAt = Instant.now();
    private Javalin app;
    private MailCatcher mailCatcher;
    private ApiRoutes api;
    private GitHosting git;
    private SshAccess ssh;

    public ReferenceServer(Stagehand stagehand, ServerConfig config)
    {
        this.stagehand = requireNonNull(stagehand, "stagehand is null");
        this.config = requireNonNull(config, "config is null");
    }

    public synchronized ReferenceServer start()
    {
        if (app != null) {
            throw new IllegalStateException("Server already started");
        }
        stagehand.start();
        mailCatcher = new MailCatcher(stagehand.mail(), config.smtpBindAddress(), config.smtpPort(), config.limits().smtpAuthAttempts(), config.limits().smtpAuthLockout()).start();
        if (config.ssh().enabled()) {
            ssh = new SshAccess(stagehand, config.ssh(), stagehand.config().dataDirectory().resolve("ssh").resolve("host-key")).start();
        }
        git = new GitHosting(stagehand, stagehand.config().dataDirectory().resolve("git"), config.limits().maxPushBytes());
        ClientAddress clientAddress = config.clientAddress();
        Authentication authentication = new Authentication(stagehand.accounts(), clientAddress, config.publicUrl().startsWith("https://"));
        api = new ApiRoutes(stagehand, this::publicUrl, git, authentication, config.limits());
        app = Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            javalin.jetty.host = config.httpHost();
            javalin.jetty.port = config.httpPort();
            // What Javalin reads into memory for a handler (every JSON body): larger bodies are
            // streamed by the handlers that take them (imports, webhooks, git pushes), within limits of their own.
            javalin.http.maxRequestSize = ServerLimits.MAX_JSON_BYTES;
            // First: a request for a build's host name is the build's, whatever its path.
            new BuildProxy(stagehand.hosts(), stagehand.traffic(), stagehand.sleep(), stagehand.serverMoves()::follow, clientAddress).register(javalin);
            new WebsocketRelay(stagehand.hosts(), clientAddress).register(javalin);
            // The console's own answers (pages, API, git) carry the browser's protections.
            new ConsoleHeaders(stagehand.hosts()).register(javalin);
            javalin.routes.get("/health", this::health);
            new HttpMetrics(stagehand.meters()).register(javalin);
            metrics().ifPresent(endpoint -> endpoint.register(javalin));
            // Then: every API request is someone's.
            authentication.register(javalin);
            // The web pages: static files, a client of the API.
            javalin.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/sh/stagehand/server/ui";
                files.location = io.javalin.http.staticfiles.Location.CLASSPATH;
            });
            // The web shell's terminal, xterm.js, from its WebJar: /webjars/xterm/<version>/...
            javalin.staticFiles.enableWebjars();
            api.register(javalin);
            git.register(javalin);
        }).start();
        log.info("Stagehand reference server listening on http://{}:{}", config.httpHost(), port());
        return this;
    }

    // Served where the platform's meters are Prometheus's (Main's), and not turned off.
    private Optional<MetricsEndpoint> metrics()
    {
        if (!config.metrics().enabled() || !(stagehand.meters() instanceof PrometheusMeterRegistry prometheus)) {
            return Optional.empty();
        }
        return Optional.of(MetricsEndpoint.create(prometheus, metricsTokenFile()));
    }

    /**
     * The file of the token a scraper of {@code /metrics} shows: {@code metrics.token-file}, else
     * {@code <data.directory>/metrics/scrape-token}.
     */
    public Path metricsTokenFile()
    {
        return config.metrics().tokenFile().orElse(stagehand.config().dataDirectory().resolve("metrics").resolve("scrape-token"));
    }

    /**
     * The HTTP routes the server answers, {@code "GET /api/projects/{project}"}, as registered:
     * what its OpenAPI document ({@code /api/openapi.yaml}) describes.
     */
    public synchronized List<String> routes()
    {
        if (api == null) {
            throw new IllegalStateException("Server not started");
        }
        List<String> routes = new ArrayList<>(api.routes());
        routes.add("GET /health");
        if (config.metrics().enabled() && stagehand.meters() instanceof PrometheusMeterRegistry) {
            routes.add("GET /metrics");
        }
        return routes;
    }

    /**
     * Where users reach the server: {@code platform.public-url}, or, derived from an
     * {@code http.port} of 0, the port it listens on.
     */
    public String publicUrl()
    {
        String configured = config.publicUrl();
        return configured.endsWith(":0") ? configured.substring(0, configured.length() - 1) + port() : configured;
    }

    public synchronized int port()
    {
        if (app == null) {
            throw new IllegalStateException("Server not started");
        }
        return app.port();
    }

    public synchronized int smtpPort()
    {
        if (mailCatcher == null) {
            throw new IllegalStateException("Server not started");
        }
        return mailCatcher.port();
    }

    /**
     * @throws IllegalStateException if the SSH server does not run ({@code ssh.enabled=false})
     */
    public synchronized int sshPort()
    {
        if (ssh == null) {
            throw new IllegalStateException("No SSH server runs");
        }
        return ssh.port();
    }

    private void health(Context context)
    {
        Map<String, String> providers = new LinkedHashMap<>();
        stagehand.activeProviders().forEach((kind, name) -> providers.put(kind.name().toLowerCase(Locale.ROOT), name));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "UP");
        body.put("instance", stagehand.config().instanceName());
        body.put("uptimeSeconds", Duration.between(startedAt, Instant.now()).toSeconds());
        body.put("providers", providers);
        context.json(body);
    }

    @Override
    public synchronized void close()
    {
        if (ssh != null) {
            ssh.close();
            ssh = null;
        }
        if (app != null) {
            app.stop();
            app = null;
        }
        if (mailCatcher != null) {
            mailCatcher.close();
            mailCatcher = null;
        }
        if (git != null) {
            git.close();
            git = null;
        }
    }
}
