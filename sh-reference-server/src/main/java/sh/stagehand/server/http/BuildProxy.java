package sh.stagehand.server.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.monitor.BuildTraffic;
import sh.stagehand.core.pipeline.SleepingBuilds;
import sh.stagehand.core.routing.HostRouter;
import sh.stagehand.spi.StagehandException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.util.Objects.requireNonNull;

/**
 * Serves each build under its host name ({@link HostRouter}): a request whose {@code Host} is a
 * build's goes to that build's server, whatever its path, as a reverse proxy would send it (the
 * {@code X-Forwarded-*} headers Odoo reads in proxy mode); production's name answers a maintenance
 * page (503) while it is updated; each request relayed is counted for the build's monitoring
 * ({@link BuildTraffic}), and keeps the build awake ({@link SleepingBuilds#touch}). A request to a
 * sleeping build wakes it and waits for it up to {@code sleep.wake-wait}, then is relayed; if it
 * takes longer, a browser gets a page that reloads until it is awake, another client a 503 with
 * Retry-After; a build that cannot wake answers a page saying why.
 * Other host names reach the platform's own pages and API.
 * Bodies are streamed both ways, so uploads, downloads and long requests pass as they are.
 * Thread-safe.
 */
public final class BuildProxy
{
    private static final Logger log = LoggerFactory.getLogger(BuildProxy.class);
    // Hop-by-hop (RFC 9110 7.6.1) and what the JDK's client sets itself.
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "host", "content-length", "expect", "http2-settings");

    private final HostRouter hosts;
    private final BuildTraffic traffic;
    private final SleepingBuilds sleep;
    private final Function<Build, Optional<Build>> moved;
    private final ClientAddress clientAddress;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    /**
     * @param moved where a build's server runs now, if it moved (a cluster's node drained or lost)
     */
    public BuildProxy(HostRouter hosts, BuildTraffic traffic, SleepingBuilds sleep, Function<Build, Optional<Build>> moved, ClientAddress clientAddress)
    {
        this.moved = requireNonNull(moved, "moved is null");
        this.hosts = requireNonNull(hosts, "hosts is null");
        this.traffic = requireNonNull(traffic, "traffic is null");
        this.sleep = requireNonNull(sleep, "sleep is null");
        this.clientAddress = requireNonNull(clientAddress, "clientAddress is null");
    }

    /**
     * The scheme the browser used: a trusted proxy's word (it terminated TLS), else this request's.
     */
    static String forwardedProto(ClientAddress clientAddress, String peer, String forwarded, String scheme)
    {
        if (forwarded != null && clientAddress.isTrusted(peer)) {
            String last = forwarded.substring(forwarded.lastIndexOf(',') + 1).strip().toLowerCase(Locale.ROOT);
            if (last.equals("http") || last.equals("https")) {
                return last;
            }
        }
        return scheme;
    }

    public void register(JavalinConfig config)
    {
        config.routes.before(this::handle);
    }

    private void handle(Context context)
            throws IOException, InterruptedException
    {
        String host = context.header("Host");
        if (host == null) {
            return;
        }
        var route = hosts.route(host);
        if (route.isEmpty()) {
            return;
        }
        context.skipRemainingHandlers();
        switch (route.get().kind()) {
            case NOTHING -> page(context.res(), 404, "No build here", "No running build answers to " + host + ". It may have been collected, or not be built yet.");
            case MAINTENANCE -> maintenance(context.res());
            case SERVE -> serve(context, host, route.get().build().orElseThrow());
            case ASLEEP -> {
                Build asleep = route.get().build().orElseThrow();
                Optional<Build> woken = awaitWake(context, asleep);
                if (woken.isPresent()) {
                    serve(context, host, woken.get());
                }
            }
        }
    }

    private void serve(Context context, String host, Build build)
            throws IOException, InterruptedException
    {
        sleep.touch(build.id());
        // Counted for the build's monitoring: its outcome, its time until the last byte.
        BuildTraffic.Request counted = traffic.begin(build.id());
        try {
            forward(context, host, build);
            counted.end(context.res().getStatus());
        }
        finally {
            counted.end(0);
        }
    }

    // The build woken, or empty once a page said it is waking or could not wake.
    private Optional<Build> awaitWake(Context context, Build asleep)
            throws IOException, InterruptedException
    {
        CompletableFuture<Build> waking = sleep.wake(asleep.id());
        try {
            return Optional.of(waking.get(sleep.wakeWait().toMillis(), TimeUnit.MILLISECONDS));
        }
        catch (TimeoutException e) {
            waking(context, asleep);
        }
        catch (ExecutionException e) {
            Throwable cause = e.getCause();
            context.res().setHeader("Retry-After", "60");
            page(context.res(), 503, "Build " + asleep.id() + " could not wake", cause instanceof StagehandException ? cause.getMessage()
                    : "Build " + asleep.id() + " could not wake: " + cause + ". Rebuild it, or try again in a minute.");
        }
        return Optional.empty();
    }

    // Still waking: a browser gets a page that reloads until it answers; another client a 503 to try again.
    private static void waking(Context context, Build asleep)
            throws IOException
    {
        HttpServletResponse response = context.res();
        response.setHeader("Retry-After", "2");
        String accept = Optional.ofNullable(context.header("Accept")).orElse("");
        if (!accept.contains("text/html")) {
            response.setStatus(503);
            response.setContentType("text/plain; charset=utf-8");
            response.setHeader("Cache-Control", "no-store");
            response.getOutputStream().write(("Build " + asleep.id() + " is waking up: try again in a moment (Retry-After).\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        page(response, 503, "Waking up", "Build " + asleep.id() + " of " + asleep.projectId() + "/" + asleep.branch()
                + " was asleep, and is starting. This page reloads by itself once it answers.", 2);
    }

    private static void maintenance(HttpServletResponse response)
            throws IOException
    {
        response.setHeader("Retry-After", "10");
        page(response, 503, "Maintenance", "This database is being updated to a new revision. It will be back in a moment.");
    }

    private void forward(Context context, String host, Build build)
            throws IOException, InterruptedException
    {
        var request = context.req();
        String query = request.getQueryString();
        URI target = URI.create("http://" + build.serverAddress().orElseThrow() + request.getRequestURI() + (query == null ? "" : "?" + query));
        HttpRequest.Builder upstream = HttpRequest.newBuilder(target).timeout(Duration.ofMinutes(30));
        for (String name : Collections.list(request.getHeaderNames())) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!NOT_FORWARDED.contains(lower) && !lower.startsWith("x-forwarded-")) {
                for (String value : Collections.list(request.getHeaders(name))) {
                    // The platform's own credentials stay with the platform.
                    Authentication.headerForBuild(name, value).ifPresent(kept -> upstream.header(name, kept));
                }
            }
        }
        upstream.header("X-Forwarded-Host", host);
        upstream.header("X-Forwarded-Proto", forwardedProto(clientAddress, request.getRemoteAddr(), request.getHeader("X-Forwarded-Proto"), request.getScheme()));
        upstream.header("X-Forwarded-For", Authentication.clientAddress(clientAddress, context));
        boolean hasBody = request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
        upstream.method(request.getMethod(), hasBody ? HttpRequest.BodyPublishers.ofInputStream(() -> {
            try {
                return request.getInputStream();
            }
            catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }) : HttpRequest.BodyPublishers.noBody());
        HttpResponse<InputStream> response;
        try {
            response = http.send(upstream.build(), HttpResponse.BodyHandlers.ofInputStream());
        }
        catch (IOException e) {
            log.debug("Build {} did not answer {}", build.id(), target, e);
            // A cluster moved its server: asked again where it runs now, once, a request without a body.
            Optional<Build> elsewhere = hasBody ? Optional.empty() : moved.apply(build);
            if (elsewhere.isPresent()) {
                forward(context, host, elsewhere.get());
                return;
            }
            // Its server stopped under the request: production's update has just begun, and the
            // maintenance page is the answer; otherwise the build does not answer now.
            if (hosts.route(host).map(now -> now.kind() == HostRouter.Route.Kind.MAINTENANCE).orElse(false)) {
                maintenance(context.res());
                return;
            }
            page(context.res(), 502, "Build not answering", "Build " + build.id() + " of " + build.projectId() + "/" + build.branch() + " does not answer right now.");
            return;
        }
        HttpServletResponse out = context.res();
        out.setStatus(response.statusCode());
        for (Map.Entry<String, List<String>> header : response.headers().map().entrySet()) {
            String lower = header.getKey().toLowerCase(Locale.ROOT);
            if (!NOT_FORWARDED.contains(lower) && !lower.startsWith(":")
                    // Clear-Site-Data's "cookies" clears the whole site's, the platform's session included.
                    && !lower.equals("clear-site-data")) {
                // A build cannot set (or clear) the platform's session cookie in the user's browser.
                boolean setCookie = header.getKey().equalsIgnoreCase("set-cookie");
                header.getValue().stream()
                        .filter(value -> !(setCookie && Authentication.setsSessionCookie(value)))
                        .forEach(value -> out.addHeader(header.getKey(), value));
            }
        }
        try (InputStream body = response.body(); OutputStream sink = out.getOutputStream()) {
            byte[] buffer = new byte[16 * 1024];
            int read;
            while ((read = body.read(buffer)) >= 0) {
                sink.write(buffer, 0, read);
                // What the build streams (a long poll, a report) reaches the browser as it comes.
                if (body.available() == 0) {
                    sink.flush();
                }
            }
        }
    }

    private static void page(HttpServletResponse response, int status, String title, String message)
            throws IOException
    {
        page(response, status, title, message, 0);
    }

    // refreshSeconds: 0, none
    private static void page(HttpServletResponse response, int status, String title, String message, int refreshSeconds)
            throws IOException
    {
        response.setStatus(status);
        response.setContentType("text/html; charset=utf-8");
        response.setHeader("Cache-Control", "no-store");
        String html = """
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>%s</title>%s
                <style>body{font-family:system-ui,sans-serif;margin:15vh auto;max-width:36em;color:#333;text-align:center}h1{font-weight:500}</style></head>
                <body><h1>%s</h1><p>%s</p></body></html>
                """.formatted(escape(title), refreshSeconds > 0 ? "<meta http-equiv=\"refresh\" content=\"" + refreshSeconds + "\">" : "", escape(title), escape(message));
        response.getOutputStream().write(html.getBytes(StandardCharsets.UTF_8));
    }

    private static String escape(String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
