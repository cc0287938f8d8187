package sh.stagehand.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import org.eclipse.jetty.websocket.api.Callback;
import sh.stagehand.core.BuildTerminal;
import sh.stagehand.core.ShellActions;
import sh.stagehand.core.ShellRequest;
import sh.stagehand.core.Stagehand;
import sh.stagehand.core.access.Account;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.spi.RandomSecrets;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigType;
import sh.stagehand.spi.runtime.ExecListener;
import sh.stagehand.spi.runtime.TerminalSize;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/**
 * The web shell: {@code POST /api/builds/{build}/shell} checks that the caller may open a shell in
 * the build and hands out a ticket, good once for {@value #TICKET_SECONDS} seconds; the websocket
 * {@code /api/builds/{build}/shell/socket?ticket=...&columns=..&rows=..} is the terminal. A
 * browser's cookies are not the socket's credential (a page of another site could open a socket
 * with them): the ticket is, and only a request that passed the session's CSRF check gets one.
 *
 * <p>On the socket, binary messages are the keyboard and the terminal's output; a text message is
 * a control, {@code {"resize": {"columns": 120, "rows": 40}}}. The socket closes with 1000 and
 * {@code exit N} when the shell ends. Thread-safe.
 */
final class ShellRoutes
{
    static final int TICKET_SECONDS = 60;
    private static final String TERMINAL = ShellRoutes.class.getName() + ".terminal";
    private static final String TICKET = ShellRoutes.class.getName() + ".ticket";
    private static final int MAX_INPUT = 64 * 1024;
    private static final long MAX_UNSENT = 8L << 20;
    private static final int MAX_TICKETS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ConfigKey<Duration> WRITES_DURATION = ConfigKey.of("request.duration", ConfigType.duration(), "15m", "how long psql may write in production's shells");

    private record Ticket(Account account, long buildId, Instant expiresAt) {}

    private final Stagehand stagehand;
    private final Clock clock;
    private final Map<String, Ticket> tickets = new ConcurrentHashMap<>();

    ShellRoutes(Stagehand stagehand, Clock clock)
    {
        this.stagehand = requireNonNull(stagehand, "stagehand is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    void register(RouteTable routes)
    {
        routes.post("/api/builds/{build}/shell", this::issueTicket);
        routes.ws("/api/builds/{build}/shell/socket", this::checkTicket, this::socket);
        routes.get("/api/projects/{project}/production/writes", context -> context.json(writesView(shells(context).productionWritesUntil(context.pathParam("project")))));
        routes.post("/api/projects/{project}/production/writes", context -> {
            WritesRequest request = context.bodyAsClass(WritesRequest.class);
            if (request == null || request.duration() == null) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Send {\"duration\": \"15m\"}: how long psql may write in production's shells");
            }
            Duration duration;
            try {
                duration = WRITES_DURATION.parse(request.duration());
            }
            catch (StagehandException e) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Send {\"duration\": \"15m\"}: '" + request.duration() + "' is not a duration; use e.g. 15m, 30m or 1h");
            }
            String project = context.pathParam("project");
            context.status(201).json(writesView(Optional.of(shells(context).allowProductionWrites(project, duration))));
        });
        routes.delete("/api/projects/{project}/production/writes", context -> {
            shells(context).revokeProductionWrites(context.pathParam("project"));
            context.json(writesView(Optional.empty()));
        });
    }

    record WritesRequest(String duration) {}

    private static Map<String, Object> writesView(Optional<Instant> until)
    {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("allowed", until.isPresent());
        view.put("until", until.map(Instant::toString).orElse(null));
        return view;
    }

    private ShellActions shells(Context context)
    {
        return stagehand.actingAs(Authentication.account(context)).shells();
    }

    private void issueTicket(Context context)
    {
        long buildId = ApiParameters.buildId(context);
        Account account = Authentication.account(context);
        Build build = stagehand.actingAs(account).shells().check(buildId);
        // A sleeping build wakes when its shell opens.
        if (build.state() != BuildState.SLEEPING && (build.containerId().isEmpty() || build.state() != BuildState.RUNNING)) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Build " + buildId + " does not run: a shell opens in a running build");
        }
        Instant now = clock.instant();
        tickets.values().removeIf(ticket -> ticket.expiresAt().isBefore(now));
        if (tickets.size() >= MAX_TICKETS) {
            throw new StagehandException(StandardErrorCode.TOO_MANY_REQUESTS, "Too many shell tickets are waiting to be used; try again in " + TICKET_SECONDS + " s");
        }
        String ticket = RandomSecrets.randomToken(32);
        Instant expiresAt = now.plusSeconds(TICKET_SECONDS);
        tickets.put(ticket, new Ticket(account, buildId, expiresAt));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("ticket", ticket);
        answer.put("path", "/api/builds/" + buildId + "/shell/socket?ticket=" + ticket);
        answer.put("expiresAt", expiresAt.toString());
        answer.put("stage", build.stage().name().toLowerCase(Locale.ROOT));
        context.status(201).json(answer);
    }

    // Before the upgrade: the ticket, taken (good once), for this build, not expired.
    private void checkTicket(Context context)
    {
        String given = Optional.ofNullable(context.queryParam("ticket")).orElse("");
        Ticket ticket = tickets.remove(given);
        if (ticket == null || ticket.expiresAt().isBefore(clock.instant()) || ticket.buildId() != ApiParameters.buildId(context)) {
            throw WebsocketRelay.refuse(context, 401, "No shell ticket, or one used, expired or for another build: POST /api/builds/{build}/shell gives one, good once for "
                    + TICKET_SECONDS + " s");
        }
        context.attribute(TICKET, ticket);
    }

    private void socket(WsConfig ws)
    {
        ws.onConnect(context -> {
            Ticket ticket = requireNonNull(context.attribute(TICKET), "no ticket for this socket");
            context.enableAutomaticPings(30, TimeUnit.SECONDS);
            try {
                BuildTerminal terminal = stagehand.actingAs(ticket.account()).shells().open(ticket.buildId(), ShellRequest.interactive("the web", size(context.queryParam("columns"), context.queryParam("rows"))), screen(context));
                context.attribute(TERMINAL, terminal);
                // Gone while it opened: onClose found no terminal to close.
                if (!context.session.isOpen()) {
                    terminal.closeLater();
                }
            }
            catch (StagehandException | IllegalArgumentException e) {
                context.closeSession(4000, truncate(e.getMessage()));
            }
            catch (RuntimeException e) {
                context.closeSession(1011, "The shell could not be opened");
                throw e;
            }
        });
        ws.onBinaryMessage(context -> terminal(context).ifPresent(terminal -> {
            ByteBuffer data = context.data();
            if (data.remaining() > MAX_INPUT) {
                context.closeSession(1009, "Type or paste at most " + MAX_INPUT + " bytes at once");
                return;
            }
            byte[] input = new byte[data.remaining()];
            data.get(input);
            terminal.write(input);
        }));
        ws.onMessage(context -> terminal(context).ifPresent(terminal -> {
            try {
                JsonNode resize = JSON.readTree(context.message()).path("resize");
                terminal.resize(new TerminalSize(resize.path("columns").asInt(), resize.path("rows").asInt()));
            }
            catch (IOException | IllegalArgumentException e) {
                context.closeSession(1003, "A text message is a control: {\"resize\": {\"columns\": 120, \"rows\": 40}}; keys go in binary messages");
            }
        }));
        ws.onClose(context -> terminal(context).ifPresent(BuildTerminal::closeLater));
        ws.onError(context -> terminal(context).ifPresent(BuildTerminal::closeLater));
    }

    // The screen goes out without waiting on the browser: a browser that does not read (its
    // connection stalled) must not hold the runtime's stream of the shell; past MAX_UNSENT bytes
    // not yet sent, the socket is closed, which ends the shell.
    private static ExecListener screen(WsContext context)
    {
        AtomicLong unsent = new AtomicLong();
        return new ExecListener()
        {
            @Override
            public void onOutput(byte[] data)
            {
                if (!context.session.isOpen()) {
                    return;
                }
                if (unsent.addAndGet(data.length) > MAX_UNSENT) {
                    // A close frame would wait behind what the browser does not read: the
                    // connection is dropped, and the shell closed.
                    context.session.disconnect();
                    terminal(context).ifPresent(BuildTerminal::closeLater);
                    return;
                }
                context.session.sendBinary(ByteBuffer.wrap(data), Callback.from(() -> unsent.addAndGet(-data.length), error -> unsent.addAndGet(-data.length)));
            }

            @Override
            public void onExit(OptionalInt exitCode)
            {
                if (context.session.isOpen()) {
                    context.closeSession(1000, exitCode.isPresent() ? "exit " + exitCode.getAsInt() : "ended");
                }
            }
        };
    }

    private static TerminalSize size(String columns, String rows)
    {
        if (columns == null && rows == null) {
            return TerminalSize.DEFAULT;
        }
        try {
            return new TerminalSize(Integer.parseInt(String.valueOf(columns)), Integer.parseInt(String.valueOf(rows)));
        }
        catch (NumberFormatException e) {
            throw new IllegalArgumentException("columns and rows are whole numbers, e.g. ?columns=120&rows=40");
        }
    }

    private static Optional<BuildTerminal> terminal(WsContext context)
    {
        return Optional.ofNullable(context.attribute(TERMINAL));
    }

    // A close reason is at most 123 bytes.
    private static String truncate(String message)
    {
        byte[] bytes = String.valueOf(message).getBytes(StandardCharsets.UTF_8);
        return bytes.length <= 120 ? message : new String(bytes, 0, 120, StandardCharsets.UTF_8);
    }
}
