package sh.stagehand.core;

import sh.stagehand.spi.runtime.ExecListener;
import sh.stagehand.spi.runtime.ExecSession;
import sh.stagehand.spi.runtime.TerminalSize;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static java.util.Objects.requireNonNull;

/**
 * One shell of {@link BuildTerminals}: its keyboard and size, and what it shows, passed on with a
 * line of {@code shell.log} for each line typed. Thread-safe.
 */
public final class BuildTerminal
        implements ExecListener, AutoCloseable
{
    private final BuildTerminals terminals;
    private final long buildId;
    private final String who;
    private final boolean terminal;
    private final ExecListener screen;
    private final BooleanSupplier stillAllowed;
    private final Runnable onEnd;
    private final ShellTranscript transcript;
    private final Instant openedAt;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicReference<TerminalSize> pendingSize = new AtomicReference<>();
    private volatile ExecSession session;
    private volatile Instant lastActivity;

    BuildTerminal(BuildTerminals terminals, long buildId, String who, boolean terminal, ExecListener screen, BooleanSupplier stillAllowed, Runnable onEnd)
    {
        this.terminals = requireNonNull(terminals, "terminals is null");
        this.buildId = buildId;
        this.who = requireNonNull(who, "who is null");
        this.terminal = terminal;
        this.screen = requireNonNull(screen, "screen is null");
        this.stillAllowed = requireNonNull(stillAllowed, "stillAllowed is null");
        this.onEnd = requireNonNull(onEnd, "onEnd is null");
        this.transcript = new ShellTranscript(who, terminals.clock(), terminals.scheduler(), line -> terminals.keep(buildId, line));
        this.openedAt = terminals.clock().instant();
        this.lastActivity = openedAt;
    }

    public long buildId()
    {
        return buildId;
    }

    String who()
    {
        return who;
    }

    Instant openedAt()
    {
        return openedAt;
    }

    Instant lastActivity()
    {
        return lastActivity;
    }

    boolean isClosing()
    {
        return closing.get();
    }

    boolean stillAllowed()
    {
        return stillAllowed.getAsBoolean();
    }

    void started(ExecSession session)
    {
        this.session = requireNonNull(session, "session is null");
    }

    /**
     * Keys typed, as a terminal sends them; or, for a command without a terminal, its input (not
     * kept in {@code shell.log}: data, not lines typed).
     */
    public void write(byte[] input)
    {
        lastActivity = terminals.clock().instant();
        if (terminal) {
            transcript.typed(input);
        }
        session.write(input);
    }

    /**
     * Ends a command's input (its end of file); a Ctrl-D typed, with a terminal.
     */
    public void closeInput()
    {
        session.closeInput();
    }

    /**
     * A new size, applied within 50 ms: a storm of them (a window dragged) is one call on the runtime.
     */
    public void resize(TerminalSize size)
    {
        if (pendingSize.getAndSet(requireNonNull(size, "size is null")) == null) {
            terminals.scheduler().schedule(() -> terminals.work().execute(() -> {
                TerminalSize latest = pendingSize.getAndSet(null);
                if (latest != null) {
                    session.resize(latest);
                }
            }), 50, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Shows a line of the platform's on the screen (not the shell's output, not in {@code shell.log}).
     */
    void say(String line)
    {
        screen.onOutput(("\r\n[Stagehand: " + line + "]\r\n").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void onOutput(byte[] data)
    {
        lastActivity = terminals.clock().instant();
        if (terminal) {
            transcript.shown(data);
        }
        screen.onOutput(data);
    }

    @Override
    public void onErrorOutput(byte[] data)
    {
        lastActivity = terminals.clock().instant();
        screen.onErrorOutput(data);
    }

    @Override
    public void onExit(OptionalInt exitCode)
    {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        terminals.ended(this);
        transcript.ended();
        terminals.keep(buildId, "%s %s's shell ended%s".formatted(terminals.clock().instant(), who, exitCode.isPresent() ? " (exit " + exitCode.getAsInt() + ")" : ""));
        try {
            screen.onExit(exitCode);
        }
        finally {
            onEnd.run();
        }
    }

    // Says why on the screen, then closes on a thread of the terminals'.
    void closeSaying(String why)
    {
        if (closing.compareAndSet(false, true)) {
            screen.onOutput(("\r\n[Stagehand closed this shell " + why + "]\r\n").getBytes(StandardCharsets.UTF_8));
            terminals.work().execute(this::close);
        }
    }

    /**
     * Closes the shell on a thread of the terminals', for a caller that must not wait (a
     * websocket's close).
     */
    public void closeLater()
    {
        closing.set(true);
        terminals.work().execute(this::close);
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
}
