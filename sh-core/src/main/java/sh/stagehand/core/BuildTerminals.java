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
import sh.stagehand.spi.database.DatabaseConnection;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.runtime.ExecListener;
import sh.stagehand.spi.runtime.ExecSpec;
import sh.stagehand.spi.runtime.RuntimeProvider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static java.util.Objects.requireNonNull;

/**
 * Shells in builds' containers, the web shell's and SSH's: as Odoo's user, in the branch's
 * sources, with {@code psql} reaching the build's own database (the container's {@code PG*}
 * variables and password file), closed after {@link #IDLE_TIMEOUT} without a key or an output, each
 * line typed kept in the build's {@code shell.log} with who typed it. Who may open one is
 * {@link ShellActions#open}'s to check. Thread-safe.
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
    // bash where the image has it, else sh; without the system's rc file, whose prompt asks the
    // user database for a name the container's user may not have ("I have no name!"): ours says
    // which build, and production in red.
    private static final List<String> SHELL = List.of("/bin/sh", "-c", "if command -v bash >/dev/null; then exec bash --norc; else exec sh; fi");

    private final RuntimeProvider runtime;
    private final DatabaseProvider databases;
    private final BuildWorkspaces workspaces;
    private final BuildLogs logs;
    private final Duration idleTimeout;
    private final Clock clock;
    private final Set<BuildTerminal> open = ConcurrentHashMap.newKeySet();
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

    public BuildTerminals(RuntimeProvider runtime, DatabaseProvider databases, BuildWorkspaces workspaces, BuildLogs logs, Duration idleTimeout, int maxPerAccount, int maxOpen, Duration maxLifetime,
            Clock clock)
    {
        this.maxPerAccount = maxPerAccount;
        this.maxOpen = maxOpen;
        this.maxLifetime = requireNonNull(maxLifetime, "maxLifetime is null");
        this.runtime = requireNonNull(runtime, "runtime is null");
        this.databases = requireNonNull(databases, "databases is null");
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
    BuildTerminal open(Build build, String who, ShellRequest request, ExecListener screen, BooleanSupplier stillAllowed, Runnable onEnd)
    {
        requireRoomFor(who);
        if (build.state() != BuildState.RUNNING || build.containerId().isEmpty()) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Build " + build.id() + " is " + build.state().name().toLowerCase(Locale.ROOT)
                    + ": a shell opens in a running build; rebuild it, or open one of the branch's running builds");
        }
        // No home of its own: history and dot files go to /tmp, not into the filestore.
        // ODOO_RC: Odoo's own configuration, so that `odoo shell -d $PGDATABASE` reaches the database (odoo/tools/config.py).
        Map<String, String> environment = new HashMap<>(Map.of("HOME", "/tmp", "STAGEHAND_BUILD", Long.toString(build.id()),
                "STAGEHAND_STAGE", build.stage().name().toLowerCase(Locale.ROOT), "PS1", prompt(build), "ODOO_RC", OdooCommandLine.CONFIG_FILE));
        if (build.stage() == Stage.PRODUCTION) {
            // psql as the database's reader (the process's environment, never a command line);
            // not the password file, which holds the database role's own password.
            DatabaseConnection reader = databases.reader(build.databaseName());
            environment.putAll(Map.of("PGUSER", reader.user(), "PGPASSWORD", reader.password(), "PGPASSFILE", "/dev/null"));
        }
        ExecSpec spec = new ExecSpec(command(request), Optional.of(workspaces.containerUser().asDockerUser()), Optional.of(BuildSteps.ADDONS_DIRECTORY), environment,
                request.terminal() ? Optional.of(request.size()) : Optional.empty());
        BuildTerminal terminal = new BuildTerminal(this, build.id(), who, request.terminal(), screen, stillAllowed, onEnd);
        synchronized (open) {
            requireRoomFor(who);
            open.add(terminal);
        }
        try {
            terminal.started(runtime.exec(build.containerId().orElseThrow(), spec, terminal));
        }
        catch (RuntimeException e) {
            open.remove(terminal);
            throw e;
        }
        if (build.stage() == Stage.PRODUCTION && request.command().isEmpty()) {
            terminal.say("psql reads production's database and writes nothing, unless a project admin allows writes for a while");
        }
        try {
            keep(build.id(), request.command()
                    .map(command -> "%s %s ran over %s: %s".formatted(clock.instant(), who, request.via(), ShellTranscript.printable(command)))
                    .orElse("%s %s opened a shell over %s".formatted(clock.instant(), who, request.via())));
        }
        catch (RuntimeException e) {
            // A shell whose opening cannot be kept does not stay open.
            terminal.close();
            throw e;
        }
        return terminal;
    }

    // The interactive shell, or the command line.
    private static List<String> command(ShellRequest request)
    {
        return request.command().map(line -> List.of("/bin/sh", "-c", line)).orElse(SHELL);
    }

    // A line of shell.log, on the disk at once: a record of what was done must outlive a crash.
    void keep(long buildId, String line)
    {
        logs.append(buildId, LogName.SHELL, line);
        logs.flush(buildId, LogName.SHELL);
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
        long mine = open.stream().filter(terminal -> terminal.who().equals(who)).count();
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
        for (BuildTerminal terminal : open) {
            if (terminal.isClosing()) {
                continue;
            }
            if (terminal.lastActivity().plus(idleTimeout).isBefore(now)) {
                terminal.closeSaying("after " + describe(idleTimeout) + " without a key or an output");
            }
            else if (terminal.openedAt().plus(maxLifetime).isBefore(now)) {
                terminal.closeSaying("after " + describe(maxLifetime) + ", the longest a shell stays open");
            }
            else {
                work.execute(() -> {
                    if (!terminal.isClosing() && !terminal.stillAllowed()) {
                        terminal.closeSaying("since your role no longer has the shell on this build");
                    }
                });
            }
        }
    }

    static String describe(Duration duration)
    {
        return duration.toSeconds() % 3600 == 0 ? duration.toHours() + " h" : duration.toSeconds() % 60 == 0 ? duration.toMinutes() + " min" : duration.toSeconds() + " s";
    }

    @Override
    public void close()
    {
        idleCheck.shutdownNow();
        open.forEach(BuildTerminal::close);
        work.shutdownNow();
    }

    Clock clock()
    {
        return clock;
    }

    ScheduledExecutorService scheduler()
    {
        return idleCheck;
    }

    Executor work()
    {
        return work;
    }

    void ended(BuildTerminal terminal)
    {
        open.remove(terminal);
    }
}
