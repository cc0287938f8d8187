package sh.stagehand.server.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Set;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Times each request to the platform's own pages and API ({@code stagehand.http.requests}, by
 * method, route template and status, with a percentile histogram), from its first handler to its
 * last, errors mapped. A request to a build's host name is the build's traffic, counted by
 * {@link BuildProxy}, and not here. Thread-safe.
 */
public final class HttpMetrics
{
    private static final String STARTED = "sh.stagehand.metrics.started";
    // Tags from a fixed set: a method the client makes up (or names in X-HTTP-Method-Override) is OTHER.
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    private final MeterRegistry registry;

    public HttpMetrics(MeterRegistry registry)
    {
        this.registry = requireNonNull(registry, "registry is null");
    }

    public void register(JavalinConfig config)
    {
        config.routes.before(context -> context.attribute(STARTED, System.nanoTime()));
        config.routes.after(this::record);
    }

    private void record(Context context)
    {
        Long started = context.attribute(STARTED);
        if (started == null) {
            return;
        }
        Endpoint endpoint = context.endpoints().matchedHttpEndpoint();
        // The template, not the path: a build's number in a path would make a series of each.
        String route = endpoint == null ? (context.statusCode() == 404 ? "unmatched" : "static") : endpoint.path;
        Timer.builder("stagehand.http.requests")
                .description("requests to the platform's pages and API")
                .tag("method", METHODS.contains(context.req().getMethod()) ? context.req().getMethod() : "OTHER")
                .tag("route", route)
                .tag("status", context.statusCode() >= 100 && context.statusCode() <= 599 ? Integer.toString(context.statusCode()) : "OTHER")
                .publishPercentileHistogram()
                .register(registry)
                .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }
}
