package sh.stagehand.server.http;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.sse.SseClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.Actions;
import sh.stagehand.core.AppActions;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigType;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.util.Objects.requireNonNull;

/**
 * The API's builds: one read, discarded, rebuilt, put to sleep or woken; its caught mail; its logs, whole or followed
 * live; its monitoring over a range; its Odoo apps, listed, installed and uninstalled; and the platform's garbage collection of builds. Thread-safe.
 */
final class BuildRoutes
{
    private static final Logger log = LoggerFactory.getLogger(BuildRoutes.class);
    private static final Duration WAKE_WAIT = Duration.ofSeconds(60);

    private static final ConfigKey<Duration> RANGE = ConfigKey.of("request.range", ConfigType.duration(), "24h", "how far back a build's monitoring goes");

    private final Stagehand stagehand;

    BuildRoutes(Stagehand stagehand)
    {
        this.stagehand = requireNonNull(stagehand, "stagehand is null");
    }

    void register(RouteTable routes)
    {
        routes.get("/api/builds/{build}", context -> context.json(Views.build(actions(context).build(ApiParameters.buildId(context)))));
        routes.post("/api/builds/{build}/discard", context -> context.json(Views.build(actions(context).discard(ApiParameters.buildId(context)))));
        routes.post("/api/builds/{build}/rebuild", context -> context.status(HttpStatus.ACCEPTED).json(Views.build(actions(context).rebuild(ApiParameters.buildId(context)))));
        routes.post("/api/builds/{build}/sleep", context -> context.json(Views.build(actions(context).sleep(ApiParameters.buildId(context)))));
        routes.post("/api/builds/{build}/wake", this::wake);
        routes.get("/api/builds/{build}/mails", context -> context.json(actions(context).mails(ApiParameters.buildId(context)).stream().map(Views::mail).toList()));
        routes.get("/api/builds/{build}/logs/{log}", context -> {
            // Streamed from the file: a build may print gigabytes.
            LogName name = LogName.fromFileName(context.pathParam("log"));
            long buildId = ApiParameters.buildId(context);
            context.contentType("text/plain; charset=utf-8");
            actions(context).writeLog(buildId, name, context.outputStream());
        });
        routes.sse("/api/builds/{build}/logs/{log}/follow", this::followLog);
        routes.get("/api/builds/{build}/apps", context -> context.json(actions(context).apps()
                .list(ApiParameters.buildId(context), context.queryParam("search"), !"true".equals(context.queryParam("all"))).stream().map(Views::app).toList()));
        routes.post("/api/builds/{build}/apps/{module}/install", context -> {
            AppActions.Started installed = actions(context).apps().install(ApiParameters.buildId(context), context.pathParam("module"));
            context.status(HttpStatus.ACCEPTED).json(Views.started(installed));
        });
        routes.get("/api/builds/{build}/apps/{module}/dependents", context -> context.json(actions(context).apps().dependents(ApiParameters.buildId(context), context.pathParam("module"))));
        routes.post("/api/builds/{build}/apps/{module}/uninstall", context -> {
            AppActions.Started uninstalled = actions(context).apps().uninstall(ApiParameters.buildId(context), context.pathParam("module"));
            context.status(HttpStatus.ACCEPTED).json(Views.started(uninstalled));
        });
        routes.get("/api/builds/{build}/apps/install", context -> context.json(Views.progress(actions(context).apps().progress(ApiParameters.buildId(context))
                .orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "No app was installed or uninstalled in build " + context.pathParam("build")
                        + " since the platform started")))));
        routes.get("/api/builds/{build}/monitor", context -> context.json(Views.series(actions(context).monitoring().build(ApiParameters.buildId(context), range(context)))));
        routes.post("/api/maintenance/garbage-collection", context -> context.json(actions(context).collectGarbage().stream().map(Views::build).toList()));
    }

    // Answers once the build runs, or 202 with it still asleep if it takes longer than WAKE_WAIT.
    private void wake(Context context)
            throws InterruptedException
    {
        long buildId = ApiParameters.buildId(context);
        CompletableFuture<Build> woken = actions(context).wake(buildId);
        try {
            context.json(Views.build(woken.get(WAKE_WAIT.toSeconds(), TimeUnit.SECONDS)));
        }
        catch (TimeoutException e) {
            context.status(HttpStatus.ACCEPTED).json(Views.build(actions(context).build(buildId)));
        }
        catch (ExecutionException e) {
            throw e.getCause() instanceof StagehandException known ? known : new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Build " + buildId + " could not wake", e);
        }
    }

    private void followLog(SseClient client)
    {
        Context context = client.ctx();
        try {
            AutoCloseable follow = actions(context).followLog(ApiParameters.buildId(context), LogName.fromFileName(context.pathParam("log")),
                    line -> client.sendEvent("line", line),
                    () -> {
                        client.sendEvent("end", "end of log");
                        client.close();
                    });
            client.onClose(() -> {
                try {
                    follow.close();
                }
                catch (Exception e) {
                    log.debug("Closing a log follow failed", e);
                }
            });
            client.keepAlive();
        }
        catch (StagehandException | IllegalArgumentException e) {
            client.sendEvent("error", e.getMessage());
            client.close();
        }
    }

    private static Duration range(Context context)
    {
        String range = context.queryParam("range");
        try {
            return RANGE.parse(range == null ? RANGE.defaultValue().orElseThrow() : range);
        }
        catch (StagehandException e) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "range=" + range + " is not a duration; use e.g. 1h, 24h, 7d or 30d");
        }
    }

    private Actions actions(Context context)
    {
        return stagehand.actingAs(Authentication.account(context));
    }
}
