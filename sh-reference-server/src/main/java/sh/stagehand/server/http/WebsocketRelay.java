package sh.stagehand.server.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.websocket.WsContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.routing.HostRouter;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Relays Odoo's {@code /websocket} (its bus: chat, notifications, presence) between a browser and
 * the build its host name reaches, as the {@link BuildProxy} relays HTTP. The build's socket is
 * opened before the browser's upgrade is answered, so that Odoo's refusal (400 for a missing
 * {@code Origin}, 426 for a wrong version) is the browser's answer as Odoo gave it; then each
 * message goes across as it is, and each side's close, with its code (Odoo's 4001 when the
 * session ended, 1001 when the server stops), closes the other.
 */
public final class WebsocketRelay
{
    private static final Logger log = LoggerFactory.getLogger(WebsocketRelay.class);
    private static final String RELAY = WebsocketRelay.class.getName();
    // What the JDK's websocket client sets itself, or refuses to be given.
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "upgrade", "host", "content-length", "expect", "sec-websocket-key", "sec-websocket-version",
            "sec-websocket-extensions", "sec-websocket-accept", "sec-websocket-protocol", "keep-alive", "te", "transfer-encoding");
    // Odoo refuses a message over 1 MiB (1009); the relay lets Odoo say it.
    private static final long MAX_MESSAGE = 4L << 20;
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final HostRouter hosts;
    private final ClientAddress clientAddress;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public WebsocketRelay(HostRouter hosts, ClientAddress clientAddress)
    {
        this.hosts = requireNonNull(hosts, "hosts is null");
        this.clientAddress = requireNonNull(clientAddress, "clientAddress is null");
    }

    public void register(JavalinConfig config)
    {
        config.jetty.modifyWebSocketServletFactory(factory -> {
            factory.setMaxTextMessageSize(MAX_MESSAGE);
            factory.setMaxBinaryMessageSize(MAX_MESSAGE);
            // Odoo keeps an idle bus socket for an hour; it pings it, and so do browsers.
            factory.setIdleTimeout(Duration.ofHours(2));
        });
        // Jetty answers an upgrade of another version than 13 itself, with a 405; RFC 6455 (and Odoo) say 426.
        config.jetty.modifyServletContextHandler(handler -> handler.addFilter(new org.eclipse.jetty.ee10.servlet.FilterHolder((jakarta.servlet.Filter) (request, response, chain) -> {
            var http = (jakarta.servlet.http.HttpServletRequest) request;
            String version = http.getHeader("Sec-WebSocket-Version");
            if ("websocket".equalsIgnoreCase(http.getHeader("Upgrade")) && version != null && !version.strip().equals("13")) {
                var answer = (jakarta.servlet.http.HttpServletResponse) response;
                answer.setHeader("Sec-WebSocket-Version", "13");
                answer.sendError(426, "Only version 13 of the websocket protocol is spoken here");
                return;
            }
            chain.doFilter(request, response);
        }), "/websocket", java.util.EnumSet.of(jakarta.servlet.DispatcherType.REQUEST)));
        config.routes.wsBeforeUpgrade("/websocket", this::connectUpstream);
        config.routes.ws("/websocket", ws -> {
            ws.onConnect(context -> relay(context).attach(context));
            ws.onMessage(context -> relay(context).toBuild(context.message()));
            ws.onBinaryMessage(context -> relay(context).toBuild(context.data()));
            ws.onClose(context -> relay(context).closedByBrowser(context.status(), context.reason()));
            ws.onError(context -> relay(context).failed(context.error()));
        });
    }

    private void connectUpstream(Context context)
    {
        String host = context.header("Host");
        HostRouter.Route route = hosts.route(host == null ? "" : host)
                .orElseThrow(() -> refuse(context, 404, "The platform has no websocket; build host names do"));
        switch (route.kind()) {
            case NOTHING -> throw refuse(context, 404, "No running build answers to " + host);
            case MAINTENANCE -> {
                context.res().setHeader("Retry-After", "10");
                throw refuse(context, 503, "This database is being updated to a new revision; try again in a moment");
            }
            case SERVE -> {}
        }
        Build build = route.build().orElseThrow();
        Relay relay = new Relay(build);
        WebSocket.Builder upstream = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        var request = context.req();
        for (String header : java.util.Collections.list(request.getHeaderNames())) {
            String name = header.toLowerCase(Locale.ROOT);
            if (!NOT_FORWARDED.contains(name) && !name.startsWith("x-forwarded-")) {
                for (String value : java.util.Collections.list(request.getHeaders(header))) {
                    // The platform's own credentials stay with the platform.
                    Authentication.headerForBuild(header, value).ifPresent(kept -> upstream.header(header, kept));
                }
            }
        }
        upstream.header("X-Forwarded-Host", host);
        upstream.header("X-Forwarded-Proto", BuildProxy.forwardedProto(clientAddress, request.getRemoteAddr(), request.getHeader("X-Forwarded-Proto"), context.scheme()));
        upstream.header("X-Forwarded-For", Authentication.clientAddress(clientAddress, context));
        String query = context.queryString();
        URI target = URI.create("ws://" + build.serverAddress().orElseThrow() + "/websocket" + (query == null ? "" : "?" + query));
        try {
            relay.upstream = upstream.buildAsync(target, relay).get(10, TimeUnit.SECONDS);
        }
        catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                // Odoo's own answer: its status, and the version it speaks (the JDK keeps no body).
                var response = refused.getResponse();
                response.headers().firstValue("Sec-WebSocket-Version").ifPresent(version -> context.res().setHeader("Sec-WebSocket-Version", version));
                throw refuse(context, response.statusCode(), "The build's Odoo refused the websocket upgrade with " + response.statusCode()
                        + (response.statusCode() == 400 ? "; a browser sends Origin, Upgrade, Connection, Sec-WebSocket-Key and -Version" : ""));
            }
            log.debug("Build {} refused a websocket at {}", build.id(), target, e);
            throw refuse(context, 502, "Build " + build.id() + " does not answer right now");
        }
        catch (java.util.concurrent.TimeoutException e) {
            throw refuse(context, 504, "Build " + build.id() + " did not answer the websocket in time");
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw refuse(context, 503, "Interrupted");
        }
        context.attribute(RELAY, relay);
        // A browser whose upgrade does not complete leaves no socket open on the build.
        relay.browser.orTimeout(30, TimeUnit.SECONDS).exceptionally(error -> {
            relay.upstream.abort();
            return null;
        });
    }

    // An upgrade refused before it is made: written at once (the lifecycle of an upgrade writes no
    // result), and the exception stops the upgrade.
    static HttpResponseException refuse(Context context, int status, String message)
    {
        try {
            var response = context.res();
            response.setStatus(status);
            response.setContentType("text/plain; charset=utf-8");
            byte[] body = message.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
            response.flushBuffer();
        }
        catch (java.io.IOException e) {
            log.debug("Cannot answer a refused websocket upgrade", e);
        }
        return new HttpResponseException(status, message);
    }

    private static Relay relay(WsContext context)
    {
        return requireNonNull(context.attribute(RELAY), "no relay for this websocket");
    }

    /**
     * One browser's socket and its build's. What the build sends before the browser's socket is
     * up waits for it, in order.
     */
    private static final class Relay
            implements WebSocket.Listener
    {
        private final Build build;
        private final CompletableFuture<WsContext> browser = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();
        private volatile WebSocket upstream;
        private volatile boolean closing;

        Relay(Build build)
        {
            this.build = build;
        }

        void attach(WsContext context)
        {
            // Odoo pings the relay; the relay pings the browser, which keeps proxies in between awake.
            context.enableAutomaticPings(30, TimeUnit.SECONDS);
            browser.complete(context);
        }

        // Never waits on Jetty's thread: a build that stops reading is dropped, not waited for.
        void toBuild(String message)
        {
            watch(upstream.sendText(message, true));
        }

        void toBuild(ByteBuffer message)
        {
            watch(upstream.sendBinary(message, true));
        }

        private void watch(CompletableFuture<WebSocket> sent)
        {
            sent.orTimeout(SEND_TIMEOUT.toSeconds(), TimeUnit.SECONDS).whenComplete((ignored, error) -> {
                if (error != null) {
                    log.debug("Build {} did not take a websocket message", build.id(), error);
                    upstream.abort();
                    browser.thenAccept(context -> context.closeSession(1011, "The build's server does not answer"));
                }
            });
        }

        // To the browser, the next message from the build asked for only once this one is sent:
        // a slow browser slows the build down instead of filling the platform's memory.
        private CompletionStage<?> toBrowser(WebSocket webSocket, java.util.function.BiConsumer<WsContext, org.eclipse.jetty.websocket.api.Callback> send)
        {
            CompletableFuture<Void> sent = new CompletableFuture<>();
            browser.thenAccept(context -> send.accept(context, org.eclipse.jetty.websocket.api.Callback.from(() -> sent.complete(null), sent::completeExceptionally)));
            return sent.orTimeout(SEND_TIMEOUT.toSeconds(), TimeUnit.SECONDS).whenComplete((ignored, error) -> {
                if (error != null) {
                    log.debug("The browser of a websocket of build {} did not take a message", build.id(), error);
                    webSocket.abort();
                    browser.thenAccept(context -> context.closeSession(1011, "Too slow"));
                }
                else {
                    webSocket.request(1);
                }
            });
        }

        // A message larger than Odoo's own limit, in fragments from the build, is not buffered on.
        private boolean tooBig(WebSocket webSocket, long size)
        {
            if (size <= MAX_MESSAGE) {
                return false;
            }
            webSocket.abort();
            browser.thenAccept(context -> context.closeSession(1009, "Message too big"));
            return true;
        }

        void closedByBrowser(int code, String reason)
        {
            closing = true;
            if (!upstream.isOutputClosed()) {
                // 1005 (no code) and 1006 (dropped) are not sent in a close frame.
                int sent = code == 1005 || code == 1006 ? WebSocket.NORMAL_CLOSURE : code;
                upstream.sendClose(sent, reason == null ? "" : reason).orTimeout(5, TimeUnit.SECONDS).whenComplete((ignored, error) -> upstream.abort());
            }
        }

        void failed(Throwable error)
        {
            log.debug("Websocket of build {} failed on the browser's side", build.id(), error);
            if (upstream != null) {
                upstream.abort();
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last)
        {
            text.append(data);
            if (tooBig(webSocket, text.length())) {
                return null;
            }
            if (!last) {
                webSocket.request(1);
                return null;
            }
            String message = text.toString();
            text.setLength(0);
            return toBrowser(webSocket, (context, callback) -> context.session.sendText(message, callback));
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last)
        {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            binary.writeBytes(chunk);
            if (tooBig(webSocket, binary.size())) {
                return null;
            }
            if (!last) {
                webSocket.request(1);
                return null;
            }
            ByteBuffer message = ByteBuffer.wrap(binary.toByteArray());
            binary = new java.io.ByteArrayOutputStream();
            return toBrowser(webSocket, (context, callback) -> context.session.sendBinary(message, callback));
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason)
        {
            // Odoo's code goes to the browser as it is: 4001 (session expired), 1001 (going away), ...
            if (!closing) {
                browser.thenAccept(context -> context.closeSession(statusCode == 1005 ? 1000 : statusCode, reason));
            }
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error)
        {
            log.debug("Websocket of build {} failed on the build's side", build.id(), error instanceof CompletionException ? error.getCause() : error);
            if (!closing) {
                // The build went away without a close: as a dropped connection would.
                browser.thenAccept(context -> context.closeSession(1011, "The build's server went away"));
            }
        }
    }
}
