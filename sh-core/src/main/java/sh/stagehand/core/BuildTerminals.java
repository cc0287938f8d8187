package sh.stagehand.core;

import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.logs.BuildLogs;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.odoo.OdooCommandLine;
import sh.stagehand.core.pipeline.BuildSteps;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.workspace.BuildWorkspaces;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.config.ConfigType;
import sh.stagehand.spi.runtime.ExecListener;
import sh.stagehand.spi.runtime.ExecSession;
import sh.stagehand.spi.runtime.ExecSpec;
import sh.stagehand.spi.runtime.RuntimeProvider;
import sh.stagehand.spi.runtime.TerminalSize;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * Shells in builds' containers, the web shell's and SSH's: as Odoo's user, in the branch's
 * sources, with {@code psql} reaching the build's own database (the container's {@code PG*}
 * variables and password file), closed after {@link #IDLE_TIMEOUT} without a key or an output, each
 * line typed kept in the build's {@code shell.log} with who typed it. Who may open one is
 * {@link Actions#openShell}'s to check. Thread-safe.
 */
public final class BuildTerminals
        implements AutoCloseable
{
    public static final ConfigKey<Duration> IDLE_TIMEOUT = ConfigKey.of("shell.idle-timeout", ConfigType.duration(), "30m",
            "how long a shell may stay without a key typed or an output before it is closed");
    public static final ConfigKey<Integer> MAX_PER_ACCOUNT = ConfigKey.of("shell.max-per-account", ConfigType.positiveInteger(), "10",
            "the shells one account may have open at once");
    public static final ConfigKey<Integer> MAX_OPEN = ConfigKey.of("shell.max-open", ConfigType.positiveInteger(), "100",
            "the shells open at once on the whole platform");
    public static final ConfigKey<Duration> MAX_LIFETIME = ConfigKey.of("shell.max-lifetime", ConfigType.duration(), "12h",
            "how long a shell may stay open, busy or not");
    public static final ConfigKeys KEYS = ConfigKeys.of("the shells", IDLE_TIMEOUT, MAX_PER_ACCOUNT, MAX_OPEN, MAX_LIFETIME);
    // The lines of shell.log one shell writes at the most (a flood of Enter fills no disk).
    private static final int MAX_LOG_LINES = 10_000;

    // bash where the image has it, else sh; without the system's rc file, whose prompt asks the
    // user database for a name the container's user may not have ("I have no name!"): ours says
    // which build, and production in red.
    private static final List<String> SHELL = List.of("/bin/sh", "-c", "if command -v bash >/dev/null; then exec bash --norc; else exec sh; fi");

    private final RuntimeProvider runtime;
    private final BuildWorkspaces workspaces;
    private final BuildLogs logs;
    private final Duration idleTimeout;
    private final Clock clock;
    private final Set<Terminal> open = ConcurrentHashMap.newKeySet();
    // Only schedules: what may wait on the runtime (closing, resizing) runs on the work threads,
    // so that one shell whose engine call hangs holds up no other.
    private final ScheduledExecutorService idleCheck = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "stagehand-shell-idle");
        thread.setDaemon(true);
        return thread;
    });
    private final ThreadPoolExecutor work = new ThreadPoolExecutor(4, 4, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
        Thread thread = new Thread(runnable, "stagehand-shell-work");
        thread.setDaemon(true);
        return thread;
    });

    private final int maxPerAccount;
    private final int maxOpen;
    private final Duration maxLifetime;

    public BuildTerminals(RuntimeProvider runtime, BuildWorkspaces workspaces, BuildLogs logs, Duration idleTimeout, int maxPerAccount, int maxOpen, Duration maxLifetime,
            Clock clock)
    {
        this.maxPerAccount = maxPerAccount;
        this.maxOpen = maxOpen;
        this.maxLifetime = requireNonNull(maxLifetime, "maxLifetime is null");
        this.runtime = requireNonNull(runtime, "runtime is null");
        this.workspaces = requireNonNull(workspaces, "workspaces is null");
        this.logs = requireNonNull(logs, "logs is null");
        this.idleTimeout = requireNonNull(idleTimeout, "idleTimeout is null");
        this.clock = requireNonNull(clock, "clock is null");
        work.allowCoreThreadTimeOut(true);
        long period = Math.max(1, Math.min(idleTimeout.toMillis() / 4, 30_000));
        idleCheck.scheduleWithFixedDelay(this::closeIdle, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Opens a shell in the build's server container.
     *
     * @param who the account's login, for {@code shell.log}
     * @param stillAllowed asked now and then: a shell whose user may no longer have it is closed
     * @param onEnd called once when the shell has ended, however it ended
     * @throws StagehandException {@code CONFLICT} if the build does not run
     */
    Terminal open(Build build, String who, TerminalSize size, ExecListener screen, BooleanSupplier stillAllowed, Runnable onEnd)
    {
        requireRoomFor(who);
        if (build.state() != BuildState.RUNNING || build.containerId().isEmpty()) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Build " + build.id() + " is " + build.state().name().toLowerCase(Locale.ROOT)
                    + ": a shell opens in a running build; rebuild it, or open one of the branch's running builds");
        }
        ExecSpec spec = new ExecSpec(SHELL, Optional.of(workspaces.containerUser().asDockerUser()), Optional.of(BuildSteps.ADDONS_DIRECTORY),
                // No home of its own: history and dot files go to /tmp, not into the filestore.
                // ODOO_RC: Odoo's own configuration, so that `odoo shell -d $PGDATABASE` reaches the database (odoo/tools/config.py).
                Map.of("HOME", "/tmp", "STAGEHAND_BUILD", Long.toString(build.id()), "STAGEHAND_STAGE", build.stage().name().toLowerCase(Locale.ROOT), "PS1", prompt(build),
                        "ODOO_RC", OdooCommandLine.CONFIG_FILE), size);
        Terminal terminal = new Terminal(build.id(), who, screen, stillAllowed, onEnd);
        synchronized (open) {
            requireRoomFor(who);
            open.add(terminal);
        }
        try {
            terminal.session = runtime.exec(build.containerId().orElseThrow(), spec, terminal);
        }
        catch (RuntimeException e) {
            open.remove(terminal);
            throw e;
        }
        try {
            keep(build.id(), "%s %s opened a shell".formatted(clock.instant(), who));
        }
        catch (RuntimeException e) {
            // A shell whose opening cannot be kept does not stay open.
            terminal.close();
            throw e;
        }
        return terminal;
    }

    // A line of shell.log, on the disk at once: a record of what was done must outlive a crash.
    private void keep(long buildId, String line)
    {
        logs.append(buildId, LogName.SHELL, line);
        logs.flush(buildId, LogName.SHELL);
    }

    // A typed line as shell.log keeps it: controls, format characters and line or paragraph
    // separators written as \\u escapes, so that a line cannot pass for another nor drive the
    // terminal of who reads the log.
    static String printable(String line)
    {
        StringBuilder text = new StringBuilder(line.length());
        line.codePoints().forEach(c -> {
            int type = Character.getType(c);
            if (type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR || c == '\\') {
                text.append(String.format("\\u%04x", c));
            }
            else {
                text.appendCodePoint(c);
            }
        });
        return text.toString();
    }

    // bash's prompt (sh shows it as it is): production's in red capitals.
    private static String prompt(Build build)
    {
        String where = build.stage() == Stage.PRODUCTION
                ? "\\[\\e[1;37;41m\\]PRODUCTION\\[\\e[0m\\] build " + build.id()
                : build.stage().name().toLowerCase(Locale.ROOT) + " build " + build.id();
        return where + ":\\w\\$ ";
    }

    /**
     * @throws StagehandException {@code TOO_MANY_REQUESTS} if the account has {@link #MAX_PER_ACCOUNT} shells open
     */
    void requireRoomFor(String who)
    {
        // Counted until their processes have ended: closing takes the runtime's resources too.
        if (open.size() >= maxOpen) {
            throw new StagehandException(StandardErrorCode.TOO_MANY_REQUESTS, "The platform has " + open.size() + " shells open, the most it takes (" + MAX_OPEN
                    + "): try again in a minute");
        }
        long mine = open.stream().filter(terminal -> terminal.who.equals(who)).count();
        if (mine >= maxPerAccount) {
            throw new StagehandException(StandardErrorCode.TOO_MANY_REQUESTS, "You have " + mine + " shells open, the most an account may (" + MAX_PER_ACCOUNT
                    + "): close one, or wait for those you left to close");
        }
    }

    /**
     * @return the shells open now
     */
    public int openCount()
    {
        return open.size();
    }

    // Closes the shells idle too long, open too long, or whose user may no longer have them.
    private void closeIdle()
    {
        Instant now = clock.instant();
        for (Terminal terminal : open) {
            if (terminal.closing.get()) {
                continue;
            }
            if (terminal.lastActivity.plus(idleTimeout).isBefore(now)) {
                terminal.closeSaying("after " + describe(idleTimeout) + " without a key or an output");
            }
            else if (terminal.openedAt.plus(maxLifetime).isBefore(now)) {
                terminal.closeSaying("after " + describe(maxLifetime) + ", the longest a shell stays open");
            }
            else {
                work.execute(() -> {
                    if (!terminal.closing.get() && !terminal.stillAllowed.getAsBoolean()) {
                        terminal.closeSaying("since your role no longer has the shell on this build");
                    }
                });
            }
        }
    }

    private static String describe(Duration duration)
    {
        return duration.toSeconds() % 3600 == 0 ? duration.toHours() + " h" : duration.toSeconds() % 60 == 0 ? duration.toMinutes() + " min" : duration.toSeconds() + " s";
    }

    @Override
    public void close()
    {
        idleCheck.shutdownNow();
        open.forEach(Terminal::close);
        work.shutdownNow();
    }

    /**
     * One shell: its keyboard and size, and what it shows, passed on with a line of
     * {@code shell.log} for each line typed.
     */
    public final class Terminal
            implements ExecListener, AutoCloseable
    {
        private final long buildId;
        private final String who;
        private final ExecListener screen;
        private final Runnable onEnd;
        private final BooleanSupplier stillAllowed;
        private final Instant openedAt = clock.instant();
        private int loggedLines;
        private boolean decideScheduled;
        private final ByteArrayOutputStream typed = new ByteArrayOutputStream();
        // What the terminal showed, as a line editor would have it (its last 16 KiB at most; the
        // characters dropped from its front counted): a typed line is kept in shell.log only if the
        // terminal showed it within a second, so a password typed at a prompt that does not echo
        // (psql's \\password, read -s) is not.
        private final StringBuilder echoed = new StringBuilder();
        private long echoedDropped;
        private long lineStart;
        private final java.util.ArrayDeque<TypedLine> undecided = new java.util.ArrayDeque<>();
        private final AtomicBoolean ended = new AtomicBoolean();
        private final AtomicBoolean closing = new AtomicBoolean();
        private final AtomicReference<TerminalSize> pendingSize = new AtomicReference<>();
        private volatile ExecSession session;
        private volatile Instant lastActivity = clock.instant();

        private Terminal(long buildId, String who, ExecListener screen, BooleanSupplier stillAllowed, Runnable onEnd)
        {
            this.stillAllowed = requireNonNull(stillAllowed, "stillAllowed is null");
            this.buildId = buildId;
            this.who = who;
            this.screen = requireNonNull(screen, "screen is null");
            this.onEnd = requireNonNull(onEnd, "onEnd is null");
        }

        public long buildId()
        {
            return buildId;
        }

        /**
         * Keys typed, as a terminal sends them.
         */
        public void write(byte[] input)
        {
            lastActivity = clock.instant();
            keepTyped(input, this::typed);
            session.write(input);
        }

        /**
         * A new size, applied within 50 ms: a storm of them (a window dragged) is one call on the runtime.
         */
        public void resize(TerminalSize size)
        {
            if (pendingSize.getAndSet(requireNonNull(size, "size is null")) == null) {
                idleCheck.schedule(() -> work.execute(() -> {
                    TerminalSize latest = pendingSize.getAndSet(null);
                    if (latest != null) {
                        session.resize(latest);
                    }
                }), 50, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void onOutput(byte[] data)
        {
            lastActivity = clock.instant();
            keepEchoed(data);
            screen.onOutput(data);
        }

        @Override
        public void onExit(OptionalInt exitCode)
        {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            open.remove(this);
            decide(true);
            keep(buildId, "%s %s's shell ended%s".formatted(clock.instant(), who, exitCode.isPresent() ? " (exit " + exitCode.getAsInt() + ")" : ""));
            try {
                screen.onExit(exitCode);
            }
            finally {
                onEnd.run();
            }
        }

        // Says why on the screen, then closes on a thread of the terminals'.
        private void closeSaying(String why)
        {
            if (closing.compareAndSet(false, true)) {
                screen.onOutput(("\r\n[Stagehand closed this shell " + why + "]\r\n").getBytes(StandardCharsets.UTF_8));
                work.execute(this::close);
            }
        }

        /**
         * Closes the shell on a thread of the terminals', for a caller that must not wait (a
         * websocket's close).
         */
        public void closeLater()
        {
            closing.set(true);
            work.execute(this::close);
        }

        @Override
        public void close()
        {
            closing.set(true);
            ExecSession running = session;
            if (running != null) {
                running.close();
            }
        }

        private synchronized void keepEchoed(byte[] output)
        {
            String text = new String(output, StandardCharsets.UTF_8);
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == 0x1b) {
                    // ESC [ ... final byte, or ESC and one character.
                    i++;
                    if (i < text.length() && text.charAt(i) == '[') {
                        while (i + 1 < text.length() && (text.charAt(i + 1) < 0x40 || text.charAt(i + 1) > 0x7e)) {
                            i++;
                        }
                        i++;
                    }
                }
                else if (c == '\b' && !echoed.isEmpty()) {
                    echoed.setLength(echoed.length() - 1);
                }
                else if (c > 0x20) {
                    // Spaces left out, here and in the line typed: a line editor adds and moves
                    // some where a long line wraps.
                    echoed.append(c);
                }
            }
            if (echoed.length() > 16384) {
                int drop = echoed.length() - 8192;
                echoed.delete(0, drop);
                echoedDropped += drop;
            }
        }

        private record TypedLine(String text, long from, Instant at) {}

        // A line typed: decided once its echo had a second to come back.
        private synchronized void typed(String line)
        {
            long now = echoedDropped + echoed.length();
            // Blank lines say nothing; past the most a shell writes, nothing more is kept.
            if (!line.isBlank() && loggedLines + undecided.size() < MAX_LOG_LINES) {
                undecided.add(new TypedLine(line, lineStart, clock.instant()));
                if (!decideScheduled) {
                    decideScheduled = true;
                    idleCheck.schedule(() -> decide(false), 1100, TimeUnit.MILLISECONDS);
                }
            }
            lineStart = now;
        }

        // Keeps the lines typed a second ago or more (all of them when the shell has ended), in order.
        private synchronized void decide(boolean all)
        {
            decideScheduled = false;
            Instant due = clock.instant().minusSeconds(1);
            while (!undecided.isEmpty() && (all || !undecided.peek().at().isAfter(due))) {
                TypedLine line = undecided.poll();
                String visible = line.text().replaceAll("\\s", "");
                boolean shown = visible.isEmpty() || echoed.indexOf(visible, (int) Math.max(0, line.from() - echoedDropped)) >= 0;
                keep(buildId, "%s %s$ %s".formatted(line.at(), who, shown ? printable(line.text()) : "(a line typed without echo, such as a password, not kept)"));
                if (++loggedLines == MAX_LOG_LINES) {
                    keep(buildId, "%s %s$ (the most lines a shell keeps; the next are not kept)".formatted(line.at(), who));
                }
            }
            if (!undecided.isEmpty() && !decideScheduled) {
                decideScheduled = true;
                idleCheck.schedule(() -> decide(false), 1100, TimeUnit.MILLISECONDS);
            }
        }

        // The line typed so far, kept as typed: printable characters, a backspace takes one back,
        // Enter ends it; escape sequences (arrows, function keys) and control keys are left out.
        private synchronized void keepTyped(byte[] input, Consumer<String> line)
        {
            for (int i = 0; i < input.length; i++) {
                int b = input[i] & 0xff;
                if (b == '\r' || b == '\n') {
                    line.accept(typed.toString(StandardCharsets.UTF_8));
                    typed.reset();
                }
                else if (b == 0x7f || b == 0x08) {
                    byte[] kept = typed.toByteArray();
                    int end = kept.length;
                    // One character back, with its UTF-8 continuation bytes.
                    while (end > 0 && (kept[end - 1] & 0xc0) == 0x80) {
                        end--;
                    }
                    typed.reset();
                    typed.write(kept, 0, Math.max(0, end - 1));
                }
                else if (b == 0x1b) {
                    // ESC [ ... final byte, or ESC and one character.
                    i++;
                    if (i < input.length && input[i] == '[') {
                        while (i + 1 < input.length && (input[i + 1] < 0x40 || input[i + 1] > 0x7e)) {
                            i++;
                        }
                        i++;
                    }
                }
                else if (b >= 0x20 && typed.size() < 4096) {
                    typed.write(b);
                }
            }
        }
    }
}
